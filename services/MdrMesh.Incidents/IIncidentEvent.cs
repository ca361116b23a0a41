namespace MdrMesh.Incidents;

/// <summary>
/// Every event on an incident carries when it happened and who did it: <see cref="By"/> is the
/// name history shows, <see cref="ById"/> the API connection's immutable id (null for the system's
/// own actors: the executor, the auto-accept setting, the deadline). Checks compare ids, never names.
/// </summary>
public interface IIncidentEvent
{
    DateTimeOffset At { get; }
    string By { get; }
    string? ById { get; }
}
