namespace MdrMesh.ServiceDefaults;

public static class SqlText
{
    /// <summary>An ILIKE pattern for "contains", with the caller's text taken literally (its % _ \ are characters, not wildcards).</summary>
    public static string ContainsPattern(string text) => "%" + text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
}
