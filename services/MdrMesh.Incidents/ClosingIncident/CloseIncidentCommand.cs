using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.ClosingIncident;

/// <summary>Close the incident for good: <see cref="ResolutionStatus"/> is a key of <see cref="CloseIncident.Resolutions"/>.</summary>
public sealed record CloseIncidentCommand(string ResolutionStatus, string Summary, DateTimeOffset At, Caller Caller);
