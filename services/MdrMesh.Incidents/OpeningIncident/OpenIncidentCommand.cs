using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.OpeningIncident;

/// <summary>Open an incident under a new id and the next number, with the request's fields as validated (defaults filled in).</summary>
public sealed record OpenIncidentCommand(
    Guid IncidentId,
    string TenantId,
    long Number,
    string Summary,
    string? Description,
    string Priority,
    IReadOnlyList<string> AffectedHosts,
    IReadOnlyList<string> MitreTactics,
    IReadOnlyList<string> MitreTechniques,
    string? DetectionTechnology,
    string? ClientDescription,
    bool NoSla,
    DateTimeOffset At,
    Caller Caller);
