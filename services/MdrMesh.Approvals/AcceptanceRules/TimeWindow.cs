using System.Globalization;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// When a rule applies, in the tenant's local time: on <see cref="Days"/> (none: every day), from <see cref="From"/>
/// up to (not including) <see cref="To"/>, both <c>HH:mm</c>. A window whose <see cref="From"/> is after its
/// <see cref="To"/> runs across midnight and belongs to the day it starts: <c>FRI 22:00–06:00</c> covers Friday night
/// until Saturday 06:00.
/// </summary>
public sealed record TimeWindow(IReadOnlyList<string> Days, string From, string To)
{
    public const string TimeFormat = "HH:mm";

    /// <summary>The day names, Monday first.</summary>
    public static readonly IReadOnlyList<string> DayNames = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

    /// <summary>
    /// Whether the instant falls in the window, read in <paramref name="zone"/>: converted from the instant, so a day
    /// with a daylight-saving change counts the hours the clocks really show.
    /// </summary>
    public bool Contains(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var time = TimeOnly.FromTimeSpan(local.TimeOfDay);
        var (from, to) = (TimeOf(From), TimeOf(To));
        if (from < to) return On(local.DayOfWeek) && time >= from && time < to;
        // Across midnight: the evening on the window's own day, the small hours on the day after one of its days.
        return (time >= from && On(local.DayOfWeek)) || (time < to && On(local.AddDays(-1).DayOfWeek));
    }

    /// <summary>Same days (in order) and times: a policy set again unchanged is not a new version.</summary>
    public bool SameAs(TimeWindow other) => From == other.From && To == other.To && (Days ?? []).SequenceEqual(other.Days ?? []);

    public static bool IsTime(string value) =>
        value.Length == TimeFormat.Length && TimeOnly.TryParseExact(value, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    public static string NameOf(DayOfWeek day) => DayNames[((int)day + 6) % 7];

    private bool On(DayOfWeek day) => Days is not { Count: > 0 } || Days.Contains(NameOf(day));

    private static TimeOnly TimeOf(string value) => TimeOnly.ParseExact(value, TimeFormat, CultureInfo.InvariantCulture);
}
