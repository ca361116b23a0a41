using System.Text.Json;
using Marten;
using Marten.Linq.MatchesSql;
using MdrMesh.Contracts.Responses;
using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.Commenting;
using MdrMesh.Incidents.RevealingPasswords;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.GettingIncidents;

/// <summary>Filters of <c>incidents/list</c> and <c>incidents/count</c>; times in Unix milliseconds.</summary>
public sealed record IncidentFilter(
    [property: OneOf(typeof(IncidentStatus), nameof(IncidentStatus.All))] List<string>? Statuses = null,
    [property: OneOf(typeof(Incidents.Priorities), nameof(Incidents.Priorities.All))] List<string>? Priorities = null,
    [property: OneOf(typeof(ResponseStatuses), nameof(ResponseStatuses.All))] List<string>? ResponseStatuses = null,
    [property: OneOf(typeof(ResponseType), nameof(ResponseType.All))] List<string>? ResponseTypes = null,
    List<string>? AssetIds = null,
    List<string>? AffectedHosts = null,
    [property: OneOf(typeof(ClosingIncident.CloseIncident), nameof(ClosingIncident.CloseIncident.Shown))] List<string>? Resolutions = null,
    List<string>? TenantsNames = null,
    List<string>? DetectionTechnologies = null,
    List<string>? MitreTactics = null,
    List<string>? MitreTechniques = null,
    long? MinCreationTime = null,
    long? MaxCreationTime = null,
    long? MinUpdateTime = null,
    long? MaxUpdateTime = null,
    string? SearchPhrase = null,
    int? Page = null,
    int? PageSize = null,
    [property: OneOf(typeof(IncidentFilter), nameof(IncidentFilter.Sorts))] string? Sort = null,
    List<string>? Fields = null)
{
    /// <summary>
    /// The filter as SQL over the incident documents: plain fields are duplicated columns, lists
    /// inside the document are matched by JSON containment (GIN indexes on them), so PostgreSQL
    /// picks the rows and nothing is filtered in memory.
    /// </summary>
    public IQueryable<Incident> Apply(IQueryable<Incident> incidents)
    {
        if (Statuses is { Count: > 0 }) incidents = incidents.Where(i => i.Status.IsOneOf(Statuses.ToArray()));
        if (Priorities is { Count: > 0 }) incidents = incidents.Where(i => i.Priority.IsOneOf(Priorities.ToArray()));
        if (Resolutions is { Count: > 0 }) incidents = incidents.Where(i => i.Resolution!.IsOneOf(Resolutions.ToArray()));
        if (TenantsNames is { Count: > 0 }) incidents = incidents.Where(i => i.TenantIsOneOf(TenantsNames.ToArray()));
        incidents = IncidentIndex.AnyContains(incidents, IncidentIndex.ResponseStatuses.Sql, ResponseStatuses);
        incidents = IncidentIndex.AnyContains(incidents, IncidentIndex.ResponseTypes.Sql, ResponseTypes);
        incidents = IncidentIndex.AnyContains(incidents, "d.data -> 'AssetIds'", AssetIds);
        incidents = IncidentIndex.AnyContains(incidents, "d.data -> 'AffectedHosts'", AffectedHosts);
        incidents = IncidentIndex.AnyContains(incidents, "d.data -> 'MitreTactics'", MitreTactics);
        incidents = IncidentIndex.AnyContains(incidents, "d.data -> 'MitreTechniques'", MitreTechniques);
        if (DetectionTechnologies is { Count: > 0 })
            incidents = incidents.Where(i => i.DetectionTechnology!.IsOneOf(DetectionTechnologies.ToArray()));
        if (ApiJson.FromUnixMs(MinCreationTime) is { } createdFrom) incidents = incidents.Where(i => i.CreatedAt >= createdFrom);
        if (ApiJson.PastUnixMs(MaxCreationTime) is { } createdUntil) incidents = incidents.Where(i => i.CreatedAt < createdUntil);
        if (ApiJson.FromUnixMs(MinUpdateTime) is { } updatedFrom) incidents = incidents.Where(i => i.UpdatedAt >= updatedFrom);
        if (ApiJson.PastUnixMs(MaxUpdateTime) is { } updatedUntil) incidents = incidents.Where(i => i.UpdatedAt < updatedUntil);
        if (!string.IsNullOrWhiteSpace(SearchPhrase))
        {
            var like = SqlText.ContainsPattern(SearchPhrase);
            incidents = incidents.Where(i => i.MatchesSql(
                "(d.data ->> 'Summary' ilike ? or d.data ->> 'Description' ilike ? or d.data ->> 'ClientDescription' ilike ?"
                + " or d.data ->> 'Number' ilike ? or d.id::text ilike ?"
                + " or exists (select 1 from jsonb_array_elements_text(d.data -> 'AffectedHosts') h where h ilike ?))",
                like, like, like, like, like, like));
        }
        return incidents;
    }

    /// <summary>
    /// The caller's incidents that match. A poller (<c>min_update_time</c>) is shown only changes no open transaction can
    /// still precede: those stamped before the horizon, read before the query's own snapshot (see <see cref="UpdateClock"/>).
    /// </summary>
    public async Task<IQueryable<Incident>> ApplyAsync(IQuerySession query, Caller caller, CancellationToken ct)
    {
        var incidents = Apply(IncidentStore.Reachable(query, caller));
        if (MinUpdateTime is null) return incidents;
        var horizon = await UpdateClock.HorizonAsync(query, ct);
        return incidents.Where(i => i.UpdatedAt < horizon);
    }

    /// <summary>Each filter value within the length of what it is compared with (the spec's lengths).</summary>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        var at = new Check(errors, "");
        // Filters with a fixed set of values: anything else is refused (a typo is an error, not "nothing matches").
        foreach (var (field, values, allowed) in new (string, List<string>?, IReadOnlyCollection<string>)[]
                 {
                     ("statuses", Statuses, IncidentStatus.All), ("priorities", Priorities, Incidents.Priorities.All),
                     ("response_statuses", ResponseStatuses, Incidents.ResponseStatuses.All), ("response_types", ResponseTypes, ResponseType.All),
                     ("resolutions", Resolutions, ClosingIncident.CloseIncident.Shown),
                 })
            at.Field(field).ItemsOneOf(values, allowed);
        foreach (var (field, values, max) in new (string, List<string>?, int)[]
                 {
                     ("asset_ids", AssetIds, 256), ("affected_hosts", AffectedHosts, 512),
                     ("tenants_names", TenantsNames, 128), ("fields", Fields, 64),
                     ("detection_technologies", DetectionTechnologies, 256), ("mitre_tactics", MitreTactics, 256),
                     ("mitre_techniques", MitreTechniques, 256),
                 })
            at.Field(field).Items(values, max);
        at.Field("search_phrase").NonEmpty(SearchPhrase, 1024, required: false);
        if (Sort is not null && !Sorts.Contains(Sort)) at.Field("sort").Fail($"must be one of {string.Join(", ", Sorts)}");
        return errors;
    }

    /// <summary><c>creation_time</c> or <c>update_time</c>, <c>:asc</c> or <c>:desc</c>; newest first by default.</summary>
    public IQueryable<Incident> Sorted(IQueryable<Incident> incidents) => (Sort ?? "creation_time:desc") switch
    {
        "creation_time:asc" => incidents.OrderBy(i => i.CreatedAt).ThenBy(i => i.Number),
        "update_time:asc" => incidents.OrderBy(i => i.UpdatedAt).ThenBy(i => i.Number),
        "update_time:desc" => incidents.OrderByDescending(i => i.UpdatedAt).ThenByDescending(i => i.Number),
        _ => incidents.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Number),
    };

    public static readonly IReadOnlyList<string> Sorts = ["creation_time:asc", "creation_time:desc", "update_time:asc", "update_time:desc"];
}

/// <summary><c>reveal_passwords</c> (MdrMesh's own, default true): false leaves isolation passwords out, and no reveal is recorded.</summary>
public sealed record IncidentDetailsRequest(string? IncidentId, List<string>? Fields, bool? RevealPasswords = null);

public sealed record ListResponsesRequest(string? IncidentId, List<string>? Fields, int? Page, int? PageSize, bool? RevealPasswords = null);

public static class QueryIncidents
{
    public static async Task<IResult> List(IncidentFilter filter, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        if (filter.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        await using var query = store.QuerySession();
        var (skip, take) = Paging.Window(filter.Page, filter.PageSize);
        var page = await filter.Sorted(await filter.ApplyAsync(query, caller, ct)).Skip(skip).Take(take).ToListAsync(ct);
        var wasRead = await Reading.ReadByAsync(store, page, caller, ct);
        return Results.Ok(page.Select(i => IncidentViews.Select(IncidentViews.Incident(i, wasRead: wasRead), filter.Fields)).ToList());
    }

    public static async Task<IResult> Count(IncidentFilter filter, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        if (filter.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        await using var query = store.QuerySession();
        return Results.Ok(new CountView(await (await filter.ApplyAsync(query, caller, ct)).CountAsync(ct)));
    }

    /// <summary>Shows the passwords of the incident's isolations to those who may see them (each a recorded reveal).</summary>
    public static async Task<IResult> Details(IncidentDetailsRequest request, Caller caller, IncidentStore incidents, PasswordVault vault,
        IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        if (request.IncidentId is null) return ApiProblems.BadRequest("incident_id", "is required");
        if (FieldErrors(request.Fields) is { } bad) return bad;
        var incident = await incidents.FindAsync(request.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");
        var shown = request.RevealPasswords != false && PasswordReveal.Carries(request.Fields, "responses") ? incident.Responses : [];
        var passwords = await PasswordReveal.RevealAsync(incident.TenantId, incident.Id, shown, caller, vault, incidents, clock, ct);
        var wasRead = await Reading.ReadByAsync(store, [incident], caller, ct);
        return Results.Ok(IncidentViews.Select(IncidentViews.Incident(incident, passwords, wasRead), request.Fields));
    }

    /// <summary>Shows the passwords of the page's isolations to those who may see them (each a recorded reveal).</summary>
    public static async Task<IResult> Responses(ListResponsesRequest request, Caller caller, IncidentStore incidents, PasswordVault vault,
        IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        if (request.IncidentId is null) return ApiProblems.BadRequest("incident_id", "is required");
        if (FieldErrors(request.Fields) is { } bad) return bad;
        var page = await IncidentItems<IncidentResponse>.PageAsync(store, request.IncidentId, nameof(Incident.Responses), caller, request.Page,
            request.PageSize, ct);
        if (page is null) return ApiProblems.NotFound("The incident");
        var passwords = await PasswordReveal.RevealAsync(page.TenantId, page.IncidentId,
            request.RevealPasswords != false && PasswordReveal.Carries(request.Fields, "parameters") ? page.Items : [], caller, vault,
            incidents, clock, ct);
        return Results.Ok(page.Items.Select(r => IncidentViews.Select(IncidentViews.Response(r, page.IncidentId, passwords.GetValueOrDefault(r.ResponseId)),
            request.Fields)).ToList());
    }

    // Field names are wire keys: short, and never empty.
    private static IResult? FieldErrors(List<string>? fields)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "fields").Items(fields, 64);
        return errors.Count > 0 ? ApiProblems.BadRequest(errors) : null;
    }
}
