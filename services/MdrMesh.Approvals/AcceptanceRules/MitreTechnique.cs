using System.Text.RegularExpressions;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>MITRE ATT&amp;CK technique ids as rules name them: <c>T1059</c>, or a sub-technique <c>T1059.001</c>.</summary>
public static partial class MitreTechnique
{
    public const string Shape = "must look like T1234 or T1234.001 (a MITRE ATT&CK technique or sub-technique)";

    public static bool IsWellFormed(string value) => Pattern().IsMatch(value);

    /// <summary>
    /// Whether a rule's technique covers an incident's: the technique itself or one of its sub-techniques (rule
    /// <c>T1059</c> covers <c>T1059.001</c>; rule <c>T1059.001</c> does not cover <c>T1059</c>), whatever the case.
    /// </summary>
    public static bool Covers(string rule, string technique) =>
        technique.Equals(rule, StringComparison.OrdinalIgnoreCase)
        || (technique.Length > rule.Length && technique[rule.Length] == '.' && technique.StartsWith(rule, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether any of the rule's techniques covers any of the incident's (none known: no).</summary>
    public static bool AnyCovered(IReadOnlyList<string> rule, IReadOnlyList<string>? incident) =>
        incident is { Count: > 0 } && rule.Any(r => incident.Any(t => t is not null && Covers(r, t)));

    [GeneratedRegex(@"^[Tt][0-9]{4}(\.[0-9]{3})?\z")]
    private static partial Regex Pattern();
}
