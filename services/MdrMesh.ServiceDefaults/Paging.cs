namespace MdrMesh.ServiceDefaults;

public static class Paging
{
    public const int MaxPageSize = 1000;

    /// <summary><c>page</c> is 1-based; past the end the page is empty.</summary>
    public static IReadOnlyList<T> Page<T>(IEnumerable<T> items, int? page, int? pageSize)
    {
        var size = Math.Clamp(pageSize ?? 100, 1, MaxPageSize);
        var number = Math.Max(page ?? 1, 1);
        return items.Skip((number - 1) * size).Take(size).ToList();
    }
}
