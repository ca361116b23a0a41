using System.Text.RegularExpressions;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// A tenant's time zone, by its IANA name (<c>Europe/Berlin</c>), in which its rules' time windows are read. The
/// names are those of the machine's time zone database (/usr/share/zoneinfo: the service images install tzdata).
/// </summary>
public static partial class TenantTimeZone
{
    public const string Utc = "UTC";
    public const int MaxName = 64;

    /// <summary>The zone of that name; null when this machine's database does not know it (or it is no IANA name).</summary>
    public static TimeZoneInfo? Find(string? name)
    {
        if (name is null or { Length: 0 or > MaxName }) return null;
        if (name == Utc) return TimeZoneInfo.Utc;
        // Only the IANA shape reaches the lookup, which reads a file named after it: no dots, no spaces, no Windows ids.
        return Shape().IsMatch(name) && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone) ? zone : null;
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,3}\z")]
    private static partial Regex Shape();
}
