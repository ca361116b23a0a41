namespace MdrMesh.Contracts.Messages;

/// <summary>
/// The API's incident priorities: what incidents accept and store, and what a proposal carries (<see cref="ResponseProposed.Priority"/>)
/// for the approvals service's rules to match on.
/// </summary>
public static class IncidentPriority
{
    public const string High = "HIGH";
    public const string Normal = "NORMAL";
    public const string Low = "LOW";
    public static readonly IReadOnlyList<string> All = [High, Normal, Low];
}
