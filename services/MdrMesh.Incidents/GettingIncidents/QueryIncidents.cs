using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.RevealingPasswords;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.GettingIncidents;

/// <summary>Filters of <c>incidents/list</c> and <c>incidents/count</c>; times in Unix milliseconds.</summary>
public sealed record IncidentFilter(
    List<string>? Statuses = null,
    List<string>? Priorities = null,
    List<string>? ResponseStatuses = null,
    List<string>? ResponseTypes = null,
    List<string>? AssetIds = null,
    List<string>? AffectedHosts = null,
    List<string>? Resolutions = null,
    List<string>? TenantsNames = null,
    long? MinCreationTime = null,
    long? MaxCreationTime = null,
    long? MinUpdateTime = null,
    long? MaxUpdateTime = null,
    string? SearchPhrase = null,
    int? Page = null,
    int? PageSize = null,
    string? Sort = null,
    List<string>? Fields = null)
{
    public bool Matches(Incident i) =>
        In(Statuses, i.Status) && In(Priorities, i.Priority) && In(Resolutions, i.Resolution) && In(TenantsNames, i.TenantId)
        && (ResponseStatuses is not { Count: > 0 } || i.Responses.Any(r => ResponseStatuses.Contains(r.Status)))
        && (ResponseTypes is not { Count: > 0 } || i.Responses.Any(r => ResponseTypes.Contains(r.Parameters.Type)))
        && (AssetIds is not { Count: > 0 } || i.AssetIds.Any(AssetIds.Contains))
        && (AffectedHosts is not { Count: > 0 } || i.AffectedHosts.Any(AffectedHosts.Contains))
        && Within(i.CreatedAt.ToUnixMs(), MinCreationTime, MaxCreationTime)
        && Within(i.UpdatedAt.ToUnixMs(), MinUpdateTime, MaxUpdateTime)
        && (string.IsNullOrWhiteSpace(SearchPhrase) || Searchable(i).Any(text => text?.Contains(SearchPhrase, StringComparison.OrdinalIgnoreCase) == true));

    /// <summary>Each filter value within the length of what it is compared with (the spec's lengths).</summary>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        var at = new Check(errors, "");
        foreach (var (field, values, max) in new (string, List<string>?, int)[]
                 {
                     ("statuses", Statuses, 64), ("priorities", Priorities, 64), ("response_statuses", ResponseStatuses, 64),
                     ("response_types", ResponseTypes, 64), ("asset_ids", AssetIds, 256), ("affected_hosts", AffectedHosts, 512),
                     ("resolutions", Resolutions, 64), ("tenants_names", TenantsNames, 128), ("fields", Fields, 64),
                 })
            at.Field(field).Items(values, max);
        at.Field("search_phrase").NonEmpty(SearchPhrase, 1024, required: false);
        if (Sort is not null && !Sorts.Contains(Sort)) at.Field("sort").Fail($"must be one of {string.Join(", ", Sorts)}");
        return errors;
    }

    private static bool In(List<string>? allowed, string? value) => allowed is not { Count: > 0 } || (value is not null && allowed.Contains(value));

    private static bool Within(long value, long? min, long? max) => (min is null || value >= min) && (max is null || value <= max);

    private static IEnumerable<string?> Searchable(Incident i) =>
        [i.Summary, i.Description, i.ClientDescription, i.Number.ToString(), i.Id.ToString(), .. i.AffectedHosts];

    /// <summary><c>creation_time</c> or <c>update_time</c>, <c>:asc</c> or <c>:desc</c>; newest first by default.</summary>
    public IEnumerable<Incident> Sorted(IEnumerable<Incident> incidents) => (Sort ?? "creation_time:desc") switch
    {
        "creation_time:asc" => incidents.OrderBy(i => i.CreatedAt).ThenBy(i => i.Number),
        "update_time:asc" => incidents.OrderBy(i => i.UpdatedAt).ThenBy(i => i.Number),
        "update_time:desc" => incidents.OrderByDescending(i => i.UpdatedAt).ThenByDescending(i => i.Number),
        _ => incidents.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Number),
    };

    public static readonly IReadOnlyList<string> Sorts = ["creation_time:asc", "creation_time:desc", "update_time:asc", "update_time:desc"];
}

public sealed record IncidentDetailsRequest(Guid? IncidentId, List<string>? Fields);

public sealed record ListResponsesRequest(Guid? IncidentId, List<string>? Fields, int? Page, int? PageSize);

// Filtering happens in memory over the caller's incidents: simple and correct at the scale of one
// MDR customer; the filter is a pure function, so moving it into SQL later changes no behaviour.
public static class QueryIncidents
{
    public static async Task<IResult> List(IncidentFilter filter, Caller caller, IncidentStore incidents, CancellationToken ct)
    {
        if (filter.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        var all = await incidents.ListAsync(caller, ct);
        var page = Paging.Page(filter.Sorted(all.Where(filter.Matches)), filter.Page, filter.PageSize);
        return Results.Ok(page.Select(i => IncidentViews.Select(IncidentViews.Incident(i), filter.Fields)).ToList());
    }

    public static async Task<IResult> Count(IncidentFilter filter, Caller caller, IncidentStore incidents, CancellationToken ct)
    {
        if (filter.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        var all = await incidents.ListAsync(caller, ct);
        return Results.Ok(new { count = all.Count(filter.Matches) });
    }

    /// <summary>Shows the passwords of the incident's isolations to those who may see them (each a recorded reveal).</summary>
    public static async Task<IResult> Details(IncidentDetailsRequest request, Caller caller, IncidentStore incidents, PasswordVault vault,
        TimeProvider clock, CancellationToken ct)
    {
        if (request.IncidentId is null) return ApiProblems.BadRequest("incident_id", "is required");
        if (FieldErrors(request.Fields) is { } bad) return bad;
        var incident = await incidents.FindAsync(request.IncidentId.Value, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");
        var shown = PasswordReveal.Carries(request.Fields, "responses") ? incident.Responses : [];
        var passwords = await PasswordReveal.RevealAsync(incident, shown, caller, vault, incidents, clock, ct);
        return Results.Ok(IncidentViews.Select(IncidentViews.Incident(incident, passwords), request.Fields));
    }

    /// <summary>Shows the passwords of the page's isolations to those who may see them (each a recorded reveal).</summary>
    public static async Task<IResult> Responses(ListResponsesRequest request, Caller caller, IncidentStore incidents, PasswordVault vault,
        TimeProvider clock, CancellationToken ct)
    {
        if (request.IncidentId is null) return ApiProblems.BadRequest("incident_id", "is required");
        if (FieldErrors(request.Fields) is { } bad) return bad;
        var incident = await incidents.FindAsync(request.IncidentId.Value, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");
        var page = Paging.Page(incident.Responses, request.Page, request.PageSize);
        var passwords = await PasswordReveal.RevealAsync(incident, PasswordReveal.Carries(request.Fields, "parameters") ? page : [], caller, vault,
            incidents, clock, ct);
        return Results.Ok(page.Select(r => IncidentViews.Select(IncidentViews.Response(r, incident.Id, passwords.GetValueOrDefault(r.ResponseId)),
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
