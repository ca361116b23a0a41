using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.ChangingStatus;

public sealed record IncidentStatusChanged(string Status, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary><c>incidents/update</c>: <c>incident_id</c>, <c>status</c> (<c>Open</c> | <c>On hold</c> | <c>Resolved</c>).</summary>
public sealed record ChangeStatusRequest(string? IncidentId,
    [property: OneOf(typeof(IncidentStatus), nameof(IncidentStatus.Changeable))] string? Status);

public static class ChangeStatus
{
    /// <summary>The status it already has changes nothing.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(ChangeStatusCommand command, Incident incident)
    {
        if (incident.IsClosed) throw new IncidentConflict("The incident is closed: it can no longer change.");
        return incident.Status == command.Status ? [] : [new IncidentStatusChanged(command.Status, command.At, command.Caller.Name, command.Caller.Id)];
    }

    public static async Task<IResult> Handle(ChangeStatusRequest request, Caller caller, IncidentStore incidents, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "incident_id").Required(request.IncidentId);
        new Check(errors, "status").OneOf(request.Status, IncidentStatus.Changeable);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var incident = await incidents.FindAsync(request.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        var command = new ChangeStatusCommand(request.Status!, clock.GetUtcNow(), caller);
        var updated = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(command, current), ct);
        return Results.Ok(IncidentViews.Incident(updated));
    }
}
