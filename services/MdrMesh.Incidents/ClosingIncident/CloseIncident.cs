using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.ClosingIncident;

/// <summary>Closed for good; the approvals service declines the responses still waiting for a decision.</summary>
public sealed record IncidentClosed(string Resolution, string Summary, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary><c>incidents/close</c>: <c>incident_id</c>, <c>resolution_status</c>, <c>summary</c>.</summary>
public sealed record CloseIncidentRequest(
    string? IncidentId,
    [property: OneOf(typeof(CloseIncident), nameof(CloseIncident.ResolutionStatuses))] string? ResolutionStatus,
    string? Summary);

public static class CloseIncident
{
    public static readonly IReadOnlyDictionary<string, string> Resolutions = new Dictionary<string, string>
    {
        ["TRUE_POSITIVE"] = "True positive",
        ["FALSE_POSITIVE"] = "False positive",
    };

    /// <summary>What <c>resolution_status</c> takes: the keys of <see cref="Resolutions"/>.</summary>
    public static readonly IReadOnlyList<string> ResolutionStatuses = [.. Resolutions.Keys];

    /// <summary>Every resolution an incident can show (filters name these): the two above, and Other from the product.</summary>
    public static readonly IReadOnlyList<string> Shown = [.. Resolutions.Values, "Other"];

    public static IReadOnlyList<IIncidentEvent> Decide(CloseIncidentCommand command, Incident incident) => incident.IsClosed
        ? throw new IncidentConflict("The incident is already closed.")
        : [new IncidentClosed(Resolutions[command.ResolutionStatus], command.Summary, command.At, command.Caller.Name, command.Caller.Id)];

    public static async Task<IResult> Handle(CloseIncidentRequest request, Caller caller, IncidentStore incidents, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "incident_id").Required(request.IncidentId);
        new Check(errors, "resolution_status").OneOf(request.ResolutionStatus, ResolutionStatuses);
        new Check(errors, "summary").NonEmpty(request.Summary, 16_384);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var incident = await incidents.FindAsync(request.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        var command = new CloseIncidentCommand(request.ResolutionStatus!, request.Summary!, clock.GetUtcNow(), caller);
        var updated = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(command, current), ct);
        return Results.Ok(IncidentViews.Incident(updated));
    }
}
