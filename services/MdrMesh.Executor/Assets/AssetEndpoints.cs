using Marten;
using MdrMesh.Contracts.Validation;
using Marten.Linq.MatchesSql;
using MdrMesh.Executor.Executing;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor.Assets;

/// <summary>Filters of <c>assets/list</c> and <c>assets/count</c> (times in Unix milliseconds).</summary>
public sealed record AssetFilter(
    string? Domain = null,
    List<string>? HostNames = null,
    bool? IsIsolated = null,
    long? MinFirstSeen = null,
    long? MaxFirstSeen = null,
    long? MinLastSeen = null,
    long? MaxLastSeen = null,
    string? NetworkInterface = null,
    string? OsVersion = null,
    string? Product = null,
    List<string>? RelatedIncidentsIds = null,
    string? SearchPhrase = null,
    [property: OneOf(typeof(AssetStatus), nameof(AssetStatus.All))] List<string>? Statuses = null,
    List<string>? TenantsNames = null,
    int? Page = null,
    int? PageSize = null,
    [property: OneOf(typeof(AssetFilter), nameof(AssetFilter.Sorts))] string? Sort = null,
    List<string>? Fields = null,
    List<string>? Tags = null)
{
    public static readonly IReadOnlyList<string> Sorts =
        ["host_name:asc", "host_name:desc", "first_seen:asc", "first_seen:desc", "last_seen:asc", "last_seen:desc", "status:asc", "status:desc"];

    /// <summary><c>sort</c>: a field and <c>:asc</c> or <c>:desc</c> (<see cref="Sorts"/>); by host name by default. Ties by id, so pages never overlap.</summary>
    public IQueryable<FleetAsset> Sorted(IQueryable<FleetAsset> assets) => (Sort ?? "host_name:asc") switch
    {
        "host_name:desc" => assets.OrderByDescending(a => a.HostName).ThenByDescending(a => a.Id),
        "first_seen:asc" => assets.OrderBy(a => a.FirstSeen).ThenBy(a => a.Id),
        "first_seen:desc" => assets.OrderByDescending(a => a.FirstSeen).ThenByDescending(a => a.Id),
        "last_seen:asc" => assets.OrderBy(a => a.LastSeen).ThenBy(a => a.Id),
        "last_seen:desc" => assets.OrderByDescending(a => a.LastSeen).ThenByDescending(a => a.Id),
        "status:asc" => assets.OrderBy(a => a.Status).ThenBy(a => a.Id),
        "status:desc" => assets.OrderByDescending(a => a.Status).ThenByDescending(a => a.Id),
        _ => assets.OrderBy(a => a.HostName).ThenBy(a => a.Id),
    };

    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        new Check(errors, "fields").Items(Fields, 64);
        new Check(errors, "tags").Items(Tags, AssetRegistration.MaxTagLength);
        new Check(errors, "statuses").ItemsOneOf(Statuses, AssetStatus.All);
        if (Sort is not null && !Sorts.Contains(Sort)) new Check(errors, "sort").Fail($"must be one of {string.Join(", ", Sorts)}");
        return errors;
    }

    /// <summary>
    /// The filter as SQL over the asset documents. <paramref name="related"/> are the assets (tenant
    /// and id) that executions of <see cref="RelatedIncidentsIds"/> touched, looked up beforehand.
    /// </summary>
    public IQueryable<FleetAsset> Apply(IQueryable<FleetAsset> assets, IReadOnlyList<string>? related)
    {
        if (TenantsNames is { Count: > 0 }) assets = assets.Where(a => a.TenantIsOneOf(TenantsNames.ToArray()));
        if (Statuses is { Count: > 0 }) assets = assets.Where(a => a.Status.IsOneOf(Statuses.ToArray()));
        if (IsIsolated is { } isolated) assets = isolated ? assets.Where(a => a.Isolation != null) : assets.Where(a => a.Isolation == null);
        if (ApiJson.FromUnixMs(MinFirstSeen) is { } firstFrom) assets = assets.Where(a => a.FirstSeen >= firstFrom);
        if (ApiJson.PastUnixMs(MaxFirstSeen) is { } firstPast) assets = assets.Where(a => a.FirstSeen < firstPast);
        if (ApiJson.FromUnixMs(MinLastSeen) is { } lastFrom) assets = assets.Where(a => a.LastSeen >= lastFrom);
        if (ApiJson.PastUnixMs(MaxLastSeen) is { } lastPast) assets = assets.Where(a => a.LastSeen < lastPast);
        if (Domain is not null) assets = assets.Where(a => a.MatchesSql("lower(d.data ->> 'Domain') = lower(?)", Domain));
        if (HostNames is { Count: > 0 })
            assets = assets.Where(a => a.MatchesSql($"lower(d.data ->> 'HostName') = {AnyOf}", JsonList(HostNames.Select(h => h.ToLowerInvariant()))));
        if (NetworkInterface is not null)
            assets = assets.Where(a => a.MatchesSql("exists (select 1 from jsonb_array_elements(d.data -> 'NetworkInterfaces') n"
                + " where n ->> 'Ip' = ? or lower(n ->> 'Mac') = lower(?))", NetworkInterface, NetworkInterface));
        if (OsVersion is not null) assets = assets.Where(a => a.MatchesSql("d.data ->> 'OsVersion' ilike ?", SqlText.ContainsPattern(OsVersion)));
        if (Product is not null) assets = assets.Where(a => a.MatchesSql("d.data ->> 'Product' ilike ?", SqlText.ContainsPattern(Product)));
        // An asset with any of the tags, ignoring case.
        if (Tags is { Count: > 0 })
            assets = assets.Where(a => a.MatchesSql($"exists (select 1 from jsonb_array_elements_text(d.data -> 'Tags') t where lower(t) = {AnyOf})",
                JsonList(Tags.Select(t => t.ToLowerInvariant()))));
        if (related is not null) assets = assets.Where(a => a.MatchesSql($"(d.tenant_id || chr(10) || d.id) = {AnyOf}", JsonList(related)));
        if (!string.IsNullOrWhiteSpace(SearchPhrase))
        {
            var like = SqlText.ContainsPattern(SearchPhrase);
            assets = assets.Where(a => a.MatchesSql("(d.id ilike ? or d.data ->> 'HostName' ilike ? or d.data ->> 'Domain' ilike ?"
                + " or d.data ->> 'OsVersion' ilike ? or d.data ->> 'Product' ilike ?"
                + " or exists (select 1 from jsonb_array_elements(d.data -> 'NetworkInterfaces') n where n ->> 'Ip' ilike ?))",
                like, like, like, like, like, like));
        }
        return assets;
    }

    /// <summary>The key <see cref="Apply"/> matches related assets by.</summary>
    public static string Key(string tenantId, string assetId) => tenantId + "\n" + assetId;

    // A list goes in as one JSON parameter: MatchesSql binds an array as a single value, not as text[].
    private const string AnyOf = "any(array(select jsonb_array_elements_text(?::jsonb)))";

    private static string JsonList(IEnumerable<string> values) => System.Text.Json.JsonSerializer.Serialize(values);
}

public sealed record AssetDetailsRequest(string? AssetId, List<string>? Fields);

/// <summary><c>assets/register</c>, <c>assets/list</c>, <c>assets/count</c>, <c>assets/details</c> in the MDR dialect.</summary>
public static class AssetEndpoints
{
    /// <summary>With an <c>Idempotency-Key</c>, the answer is stored in the commit of the registration; a retry gets it again.</summary>
    public static async Task<IResult> Register(AssetRegistration request, Caller caller, IdempotencyKey key, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        if (!caller.IsSocOperator) return Results.Problem(statusCode: 403, title: "Only the SOC registers assets.");
        if (key.Problem is { } badKey) return badKey;
        if (request.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        var tenant = request.TenantId ?? RootTenant.Id;
        if (!caller.CanReach(tenant)) return ApiProblems.NotFound("The tenant");

        var idempotent = key.For(caller, "assets/register", request);
        FleetAsset asset;
        try
        {
            // The asset's version check guards against a response changing it meanwhile: then the registration is made again on its state.
            asset = await store.WriteAsync(tenant, async session =>
            {
                if (idempotent is not null) await idempotent.ThrowIfAnsweredAsync(session, ct);
                var existing = await session.LoadAsync<FleetAsset>(request.AssetId!, ct);
                var now = clock.GetUtcNow();
                var registered = request.ToAsset(existing, now) with { TenantId = tenant };
                session.Store(registered);
                await AnnouncedProfile.AnnounceAsync(session, tenant, registered, now, ct);
                idempotent?.Insert(session, View(registered), now);
                return registered;
            }, ct);
        }
        catch (AlreadyAnswered answered)
        {
            return idempotent!.Replay(answered.Record);
        }
        return Results.Ok(View(asset));
    }

    public static async Task<IResult> List(AssetFilter filter, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        if (filter.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        await using var query = store.QuerySession();
        var (skip, take) = ServiceDefaults.Paging.Window(filter.Page, filter.PageSize);
        var assets = filter.Apply(Reachable(query, caller), await RelatedAsync(query, filter, ct));
        var page = await filter.Sorted(assets).Skip(skip).Take(take).ToListAsync(ct);
        return Results.Ok(page.Select(a => Fields.Project(View(a), filter.Fields)).ToList());
    }

    public static async Task<IResult> Count(AssetFilter filter, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        // The same filter as assets/list, held to the same rules: an unknown status is an error, not a count of 0.
        if (filter.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        await using var query = store.QuerySession();
        return Results.Ok(new CountView(await filter.Apply(Reachable(query, caller), await RelatedAsync(query, filter, ct)).CountAsync(ct)));
    }

    public static async Task<IResult> Details(AssetDetailsRequest request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.AssetId)) return ApiProblems.BadRequest("asset_id", "is required");
        var errors = new List<ValidationError>();
        new Check(errors, "fields").Items(request.Fields, 64);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        await using var query = store.QuerySession();
        var asset = await Reachable(query, caller).Where(a => a.Id == request.AssetId).OrderBy(a => a.TenantId).FirstOrDefaultAsync(ct);
        return asset is null ? ApiProblems.NotFound("The asset") : Results.Ok(Fields.Project(View(asset), request.Fields));
    }

    private static IQueryable<FleetAsset> Reachable(IQuerySession query, Caller caller) => caller.Tenants is null
        ? query.Query<FleetAsset>().Where(a => a.AnyTenant())
        : query.Query<FleetAsset>().Where(a => a.TenantIsOneOf(caller.Tenants.ToArray()));

    // The assets executions of the named incidents ran on, by the incident index; null when the filter names none.
    private static async Task<IReadOnlyList<string>?> RelatedAsync(IQuerySession query, AssetFilter filter, CancellationToken ct)
    {
        if (filter.RelatedIncidentsIds is not { Count: > 0 } ids) return null;
        var incidents = ids.Select(id => Guid.TryParse(id, out var g) ? g : (Guid?)null).OfType<Guid>().Distinct().ToArray();
        if (incidents.Length == 0) return [];
        var executions = await query.Query<Execution>().Where(e => e.AnyTenant() && e.IncidentId.IsOneOf(incidents)).ToListAsync(ct);
        return executions.Select(e => AssetFilter.Key(e.TenantId, e.AssetId)).Distinct().ToList();
    }

    /// <summary>The asset object of the MDR API, with the state responses act on beside it.</summary>
    public static AssetView View(FleetAsset a) => new(a.Id, a.Domain, a.FirstSeen.ToUnixMs(), a.HostName,
        new ProductInfoView(a.Product, a.ProductVersion, a.PowerShell), a.Isolation is not null, a.Isolation?.TaskId, a.Isolation?.Until.ToUnixMs(),
        null, a.LastSeen.ToUnixMs(), a.NetworkInterfaces.Select(n => new NetworkInterfaceView(n.Ip, n.Mac)).ToList(), a.Os, a.OsVersion, a.Status,
        a.TenantId,
        a.Files.Select(f => new FileView(f.Path, f.SizeBytes, f.Sha256, f.Md5)).ToList(),
        a.Processes.Select(p => new ProcessView(p.Pid, p.UniqueId, p.ImagePath, p.Sha256, p.Md5)).ToList(),
        a.Registry.Select(r => new RegistryKeyView(r.Key, r.Values, r.LinkTarget)).ToList(),
        a.Quarantine.Select(q => new QuarantinedFileView(q.OriginalPath, q.Sha256, q.Md5, q.ResponseId)).ToList(), a.Tags);
}

/// <summary>The asset object of the MDR API (times in Unix milliseconds), with the state responses act on: files, processes, registry, quarantine.</summary>
public sealed record AssetView(string AssetId, string? Domain, long FirstSeen, string HostName, ProductInfoView InstalledProductInfo,
    bool Isolation, string? IsolationTaskId, long? IsolationEndsAt, string? KscHostId, long LastSeen,
    IReadOnlyList<NetworkInterfaceView> NetworkInterfaces, string Os, string? OsVersion, string Status, string TenantName,
    IReadOnlyList<FileView> Files, IReadOnlyList<ProcessView> Processes, IReadOnlyList<RegistryKeyView> Registry,
    IReadOnlyList<QuarantinedFileView> Quarantine, IReadOnlyList<string> Tags);

public sealed record ProductInfoView(string? Product, string? Version, bool Powershell);

public sealed record NetworkInterfaceView(string? Ip, string? Mac);

public sealed record FileView(string Path, long SizeBytes, string Sha256, string Md5);

public sealed record ProcessView(long Pid, string UniqueId, string ImagePath, string? Sha256, string? Md5);

public sealed record RegistryKeyView(string Key, IReadOnlyDictionary<string, string> Values, string? LinkTarget);

public sealed record QuarantinedFileView(string OriginalPath, string Sha256, string Md5, Guid? ResponseId);
