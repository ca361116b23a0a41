using System.Text.Json;
using MdrMesh.Contracts.Isolation;
using MdrMesh.Contracts.Responses;
using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.ProposingResponse;

/// <summary>A response was proposed on one of the incident's assets. For an isolation the parameters hold the generated password.</summary>
public sealed record ResponseAdded(
    Guid ResponseId,
    string AssetId,
    ResponseParameters Parameters,
    string? Description,
    DateTimeOffset At,
    string By) : IIncidentEvent;

/// <summary><c>responses/create</c> (SOC): <c>incident_id</c>, <c>asset_id</c>, <c>type</c>, <c>parameters</c>, <c>description</c>.</summary>
public sealed record ProposeResponseRequest(Guid? IncidentId, string? AssetId, string? Type, JsonElement Parameters, string? Description);

public static class ProposeResponse
{
    public static IReadOnlyList<IIncidentEvent> Decide(Incident incident, ResponseAdded proposal)
    {
        if (incident.IsClosed) throw new IncidentConflict("The incident is closed: no response can be proposed on it.");
        return [proposal];
    }

    public static async Task<IResult> Handle(ProposeResponseRequest request, Caller caller, IncidentStore incidents, TimeProvider clock,
        CancellationToken ct)
    {
        if (!caller.IsSocOperator) return Results.Problem(statusCode: 403, title: "Only the SOC proposes responses.");
        var errors = new List<ValidationError>();
        var at = new Check(errors, "");
        at.Field("incident_id").Required(request.IncidentId);
        at.Field("asset_id").NonEmpty(request.AssetId, 256);
        at.Field("description").NonEmpty(request.Description, 4096, required: false);
        var parsed = ResponseRequest.Parse(request.Type, request.Parameters);
        errors.AddRange(parsed.Errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);

        var incident = await incidents.FindAsync(request.IncidentId!.Value, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");
        if (!incident.AssetIds.Contains(request.AssetId))
            return ApiProblems.BadRequest("asset_id", "must be one of the incident's affected hosts");

        var parameters = parsed.Parameters is IsolateParameters isolate ? isolate.WithPassword(IsolationPassword.Generate()) : parsed.Parameters!;
        var proposal = new ResponseAdded(Guid.NewGuid(), request.AssetId!, parameters, request.Description, clock.GetUtcNow(), caller.Name);
        var updated = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(current, proposal), ct);
        return Results.Ok(IncidentViews.Response(updated.Response(proposal.ResponseId)!, updated.Id));
    }
}
