using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.ChangingStatus;

/// <summary>Set the incident's status (one of <see cref="IncidentStatus.Changeable"/>), as <see cref="Caller"/> asked at <see cref="At"/>.</summary>
public sealed record ChangeStatusCommand(string Status, DateTimeOffset At, Caller Caller);
