namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>
/// A host-name glob: <c>*</c> is any run of characters (none included), <c>?</c> exactly one, anything else itself,
/// ignoring case (<c>ws-*</c> matches <c>WS-FINANCE-01</c>). The whole name must match.
/// </summary>
public static class HostNameGlob
{
    public const int MaxLength = 256;

    public static bool Matches(string pattern, string hostName)
    {
        // One backtrack point, the latest '*': at most pattern × name steps whatever the pattern (no regex, no blow-up).
        int p = 0, h = 0, star = -1, resume = 0;
        while (h < hostName.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], hostName[h])))
            {
                p++;
                h++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = h;
            }
            else if (star >= 0)
            {
                // The '*' takes one more character and the rest is tried again after it.
                p = star + 1;
                h = ++resume;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    private static bool Same(char a, char b) => a == b || char.ToUpperInvariant(a) == char.ToUpperInvariant(b);
}
