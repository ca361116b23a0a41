using System.Text.Json;
using MdrMesh.Contracts.Isolation;
using MdrMesh.Contracts.Responses;
using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.Incidents.RevealingPasswords;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.ProposingResponse;

/// <summary>
/// A response was proposed on one of the incident's assets. For an isolation the parameters hold
/// the generated password's task id and details; the password itself only as
/// <see cref="SealedPassword"/> (AES-GCM, see <see cref="PasswordVault"/>), never in plaintext.
/// <see cref="Priority"/> and <see cref="MitreTechniques"/>: the incident's at the time, which the approvals service's rules match on
/// (null in events recorded before). <see cref="RevealedToProposer"/>: the proposer received the password in the answer, which
/// history shows as a reveal after the proposal (<see cref="Incident.Steps"/>): one event where there were two.
/// </summary>
public sealed record ResponseProposed(
    Guid ResponseId,
    string AssetId,
    ResponseParameters Parameters,
    string? Description,
    DateTimeOffset At,
    string By,
    string? ById = null,
    string? SealedPassword = null,
    string? Priority = null,
    IReadOnlyList<string>? MitreTechniques = null,
    bool RevealedToProposer = false) : IIncidentEvent;

/// <summary><c>responses/create</c> (SOC): <c>incident_id</c>, <c>asset_id</c>, <c>type</c>, <c>parameters</c>, <c>description</c>.</summary>
public sealed record ProposeResponseRequest(string? IncidentId, string? AssetId,
    [property: OneOf(typeof(ResponseType), nameof(ResponseType.All))] string? Type,
    [property: System.ComponentModel.Description("The parameters of the response type named by `type` (GET_FILE, ISOLATE, ...), "
                                                 + "as the README's table of response types lists them.")]
    JsonElement Parameters,
    string? Description);

public static class ProposeResponse
{
    /// <summary>The proposal, and whether its password was revealed to the proposer, who receives it in the answer.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(ProposeResponseCommand command, Incident incident)
    {
        if (incident.IsClosed) throw new IncidentConflict("The incident is closed: no response can be proposed on it.");
        var (caller, at) = (command.Caller, command.At);
        var proposal = new ResponseProposed(command.ResponseId, command.AssetId, command.Parameters, command.Description, at, caller.Name, caller.Id,
            command.SealedPassword, incident.Priority, incident.MitreTechniques);
        return [proposal with { RevealedToProposer = command.SealedPassword is not null && PasswordReveal.MaySee(caller, incident.TenantId) }];
    }

    /// <summary>
    /// With an <c>Idempotency-Key</c>, the answer is stored in the commit of the proposal. It holds the generated password when
    /// the proposer may see it: then it is stored sealed with the <see cref="PasswordVault"/> (bound to the key's record, so it
    /// opens for no other), not rebuilt from the incident, so a retry gets exactly the first answer even after the response moved on.
    /// </summary>
    public static async Task<IResult> Handle(ProposeResponseRequest request, Caller caller, IdempotencyKey key, IncidentStore incidents,
        PasswordVault vault, TimeProvider clock, CancellationToken ct)
    {
        if (!caller.IsSocOperator) return Results.Problem(statusCode: 403, title: "Only the SOC proposes responses.");
        if (key.Problem is { } badKey) return badKey;
        var errors = new List<ValidationError>();
        var at = new Check(errors, "");
        at.Field("incident_id").Required(request.IncidentId);
        at.Field("asset_id").NonEmpty(request.AssetId, 256);
        at.Field("description").NonEmpty(request.Description, 4096, required: false);
        var parsed = ResponseRequest.Parse(request.Type, request.Parameters);
        errors.AddRange(parsed.Errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);

        var incident = await incidents.FindAsync(request.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");
        if (!incident.AssetIds.Contains(request.AssetId))
            return ApiProblems.BadRequest("asset_id", "must be one of the incident's affected hosts");

        var responseId = Guid.NewGuid();
        var parameters = parsed.Parameters!;
        string? password = null, sealedPassword = null;
        if (parameters is IsolateParameters isolate)
        {
            var generated = IsolationPassword.Generate();
            password = generated.Password;
            sealedPassword = vault.Seal(generated.Password, responseId);
            parameters = isolate.WithPassword(generated).WithoutPassword();
        }
        var command = new ProposeResponseCommand(responseId, request.AssetId!, parameters, request.Description, sealedPassword, clock.GetUtcNow(),
            caller);
        var revealed = PasswordReveal.MaySee(caller, incident.TenantId) ? password : null;
        var idempotent = key.For(caller, "responses/create", request);
        Incident updated;
        try
        {
            updated = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(command, current), ct, idempotent,
                idempotent is null ? null : (session, state) => idempotent.Insert(session, View(state), command.At,
                    revealed is null ? null : body => vault.Seal(body, idempotent.SealingId)));
        }
        catch (AlreadyAnswered answered)
        {
            return idempotent!.Replay(answered.Record, body => vault.Open(body, idempotent.SealingId));
        }
        return Results.Ok(View(updated));

        ResponseView View(Incident state) => IncidentViews.Response(state.Response(responseId)!, state.Id, revealed);
    }
}
