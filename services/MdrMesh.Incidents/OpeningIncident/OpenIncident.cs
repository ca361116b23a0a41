using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.OpeningIncident;

public sealed record IncidentOpened(
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
    string Origin,
    DateTimeOffset At,
    string By,
    string? ById = null,
    bool NoSla = false) : IIncidentEvent;

/// <summary>
/// <c>incidents/create</c>: a customer's custom incident (<c>summary</c>, <c>client_description</c>,
/// <c>affected_hosts</c>, <c>priority</c>, <c>tenant_id</c>), or the SOC's, which may add
/// <c>description</c>, <c>mitre_tactics</c>, <c>mitre_techniques</c> and <c>detection_technology</c>.
/// <c>no_sla_flag</c> true: the incident is not held to the provider's response-time agreement (a test, a drill).
/// </summary>
public sealed record CreateIncidentRequest(
    string? Summary,
    string? ClientDescription,
    List<string>? AffectedHosts,
    [property: OneOf(typeof(Priorities), nameof(Priorities.All))] string? Priority,
    string? TenantId,
    string? Description,
    List<string>? MitreTactics,
    List<string>? MitreTechniques,
    string? DetectionTechnology,
    bool? NoSlaFlag = null);

public static class OpenIncident
{
    /// <summary>An incident opens once; the SOC's are marked as theirs, everyone else's as the customer's.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(OpenIncidentCommand c, Incident? incident) => incident is not null
        ? throw new IncidentConflict("The incident is already open.")
        : [new IncidentOpened(c.IncidentId, c.TenantId, c.Number, c.Summary, c.Description, c.Priority, c.AffectedHosts, c.MitreTactics,
            c.MitreTechniques, c.DetectionTechnology, c.ClientDescription, c.Caller.IsSocOperator ? Origins.Soc : Origins.Customer, c.At,
            c.Caller.Name, c.Caller.Id, c.NoSla)];

    public static IReadOnlyList<ValidationError> Validate(CreateIncidentRequest request, Caller caller)
    {
        var errors = new List<ValidationError>();
        var at = new Check(errors, "");
        at.Field("summary").NonEmpty(request.Summary, 1024);
        if (request.AffectedHosts is not { Count: > 0 })
            at.Field("affected_hosts").Fail("is required: at least one host");
        else
            for (var i = 0; i < request.AffectedHosts.Count; i++)
                at.Field("affected_hosts").Item(i).NonEmpty(request.AffectedHosts[i], 512);
        at.Field("priority").OneOf(request.Priority, Priorities.All, required: false);
        at.Field("client_description").NonEmpty(request.ClientDescription, 16_384, required: false);
        at.Field("tenant_id").NonEmpty(request.TenantId, 128, required: false);
        at.Field("description").NonEmpty(request.Description, 16_384, required: false);
        at.Field("mitre_tactics").Items(request.MitreTactics, 256);
        at.Field("mitre_techniques").Items(request.MitreTechniques, 256);
        at.Field("detection_technology").NonEmpty(request.DetectionTechnology, 256, required: false);
        if (!caller.IsSocOperator)
            foreach (var (field, value) in new (string, object?)[] { ("description", request.Description), ("mitre_tactics", request.MitreTactics),
                         ("mitre_techniques", request.MitreTechniques), ("detection_technology", request.DetectionTechnology) })
                if (value is not null) at.Field(field).Fail("is set by the SOC only");
        return errors;
    }

    /// <summary>With an <c>Idempotency-Key</c>, the answer is stored in the commit that opens the incident; a retry gets it again.</summary>
    public static async Task<IResult> Handle(CreateIncidentRequest request, Caller caller, IdempotencyKey key, IncidentStore incidents,
        TimeProvider clock, CancellationToken ct)
    {
        if (key.Problem is { } badKey) return badKey;
        if (Validate(request, caller) is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        var tenant = request.TenantId ?? RootTenant.Id;
        if (!caller.CanReach(tenant)) return ApiProblems.NotFound("The tenant");

        var command = new OpenIncidentCommand(Guid.NewGuid(), tenant, await incidents.NextNumberAsync(ct), request.Summary!,
            request.Description, request.Priority ?? Priorities.Normal, request.AffectedHosts!, request.MitreTactics ?? [],
            request.MitreTechniques ?? [], request.DetectionTechnology, request.ClientDescription, request.NoSlaFlag == true, clock.GetUtcNow(), caller);
        var idempotent = key.For(caller, "incidents/create", request);
        try
        {
            var incident = await incidents.OpenAsync(tenant, command.IncidentId, state => Decide(command, state), ct, idempotent,
                idempotent is null ? null : (session, opened) => idempotent.Insert(session, IncidentViews.Incident(opened), command.At));
            return Results.Ok(IncidentViews.Incident(incident));
        }
        catch (AlreadyAnswered answered)
        {
            return idempotent!.Replay(answered.Record);
        }
    }
}
