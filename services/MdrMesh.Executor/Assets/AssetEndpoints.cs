using Marten;
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
    List<string>? Statuses = null,
    List<string>? TenantsNames = null,
    int? Page = null,
    int? PageSize = null)
{
    public bool Matches(FleetAsset a, IReadOnlySet<string> relatedIncidents) =>
        (Domain is null || string.Equals(a.Domain, Domain, StringComparison.OrdinalIgnoreCase))
        && (HostNames is not { Count: > 0 } || HostNames.Contains(a.HostName, StringComparer.OrdinalIgnoreCase))
        && (IsIsolated is null || IsIsolated == (a.Isolation is not null))
        && Within(a.FirstSeen.ToUnixMs(), MinFirstSeen, MaxFirstSeen) && Within(a.LastSeen.ToUnixMs(), MinLastSeen, MaxLastSeen)
        && (NetworkInterface is null || a.NetworkInterfaces.Any(n => n.Ip == NetworkInterface || string.Equals(n.Mac, NetworkInterface, StringComparison.OrdinalIgnoreCase)))
        && (OsVersion is null || a.OsVersion?.Contains(OsVersion, StringComparison.OrdinalIgnoreCase) == true)
        && (Product is null || a.Product?.Contains(Product, StringComparison.OrdinalIgnoreCase) == true)
        && (RelatedIncidentsIds is not { Count: > 0 } || RelatedIncidentsIds.Any(relatedIncidents.Contains))
        && (Statuses is not { Count: > 0 } || Statuses.Contains(a.Status))
        && (TenantsNames is not { Count: > 0 } || TenantsNames.Contains(a.TenantId))
        && (string.IsNullOrWhiteSpace(SearchPhrase) || new[] { a.Id, a.HostName, a.Domain, a.OsVersion, a.Product }
            .Concat(a.NetworkInterfaces.Select(n => n.Ip))
            .Any(t => t?.Contains(SearchPhrase, StringComparison.OrdinalIgnoreCase) == true));

    private static bool Within(long value, long? min, long? max) => (min is null || value >= min) && (max is null || value <= max);
}

public sealed record AssetDetailsRequest(string? AssetId);

/// <summary><c>assets/register</c>, <c>assets/list</c>, <c>assets/count</c>, <c>assets/details</c> in the MDR dialect.</summary>
public static class AssetEndpoints
{
    public static async Task<IResult> Register(AssetRegistration request, Caller caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!caller.IsSocOperator) return Results.Problem(statusCode: 403, title: "Only the SOC registers assets.");
        if (request.Validate() is { Count: > 0 } errors) return ApiProblems.BadRequest(errors);
        var tenant = request.TenantId ?? AssetRegistration.RootTenant;
        if (!caller.CanReach(tenant)) return ApiProblems.NotFound("The tenant");

        await using var session = store.LightweightSession(tenant);
        var existing = await session.LoadAsync<FleetAsset>(request.AssetId!, ct);
        var asset = request.ToAsset(existing, clock.GetUtcNow()) with { TenantId = tenant };
        session.Store(asset);
        await session.SaveChangesAsync(ct);
        return Results.Ok(View(asset));
    }

    public static async Task<IResult> List(AssetFilter filter, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var (assets, related) = await LoadAsync(caller, store, ct);
        var page = ServiceDefaults.Paging.Page(assets.Where(a => filter.Matches(a, related(a))).OrderBy(a => a.HostName), filter.Page, filter.PageSize);
        return Results.Ok(page.Select(View).ToList());
    }

    public static async Task<IResult> Count(AssetFilter filter, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var (assets, related) = await LoadAsync(caller, store, ct);
        return Results.Ok(new { count = assets.Count(a => filter.Matches(a, related(a))) });
    }

    public static async Task<IResult> Details(AssetDetailsRequest request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.AssetId)) return ApiProblems.BadRequest("asset_id", "is required");
        var (assets, _) = await LoadAsync(caller, store, ct);
        var asset = assets.FirstOrDefault(a => a.Id == request.AssetId);
        return asset is null ? ApiProblems.NotFound("The asset") : Results.Ok(View(asset));
    }

    private static async Task<(IReadOnlyList<FleetAsset>, Func<FleetAsset, IReadOnlySet<string>>)> LoadAsync(Caller caller, IDocumentStore store,
        CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var assets = (await query.Query<FleetAsset>().Where(a => a.AnyTenant()).ToListAsync(ct)).Where(a => caller.CanReach(a.TenantId)).ToList();
        var executions = await query.Query<Execution>().Where(e => e.AnyTenant()).ToListAsync(ct);
        var related = executions.GroupBy(e => (e.TenantId, e.AssetId))
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(e => e.IncidentId.ToString()).ToHashSet());
        return (assets, a => related.GetValueOrDefault((a.TenantId, a.Id)) ?? new HashSet<string>());
    }


    /// <summary>The asset object of the MDR API, with the state responses act on beside it.</summary>
    public static object View(FleetAsset a) => new
    {
        asset_id = a.Id,
        domain = a.Domain,
        first_seen = a.FirstSeen.ToUnixMs(),
        host_name = a.HostName,
        installed_product_info = new { product = a.Product, version = a.ProductVersion, powershell = a.PowerShell },
        isolation = a.Isolation is not null,
        isolation_task_id = a.Isolation?.TaskId,
        isolation_ends_at = a.Isolation?.Until.ToUnixMs(),
        ksc_host_id = (string?)null,
        last_seen = a.LastSeen.ToUnixMs(),
        network_interfaces = a.NetworkInterfaces.Select(n => new { ip = n.Ip, mac = n.Mac }),
        os = a.Os,
        os_version = a.OsVersion,
        status = a.Status,
        tenant_name = a.TenantId,
        files = a.Files.Select(f => new { path = f.Path, size_bytes = f.SizeBytes, sha256 = f.Sha256, md5 = f.Md5 }),
        processes = a.Processes.Select(p => new { pid = p.Pid, unique_id = p.UniqueId, image_path = p.ImagePath, sha256 = p.Sha256, md5 = p.Md5 }),
        registry = a.Registry.Select(r => new { key = r.Key, values = r.Values, link_target = r.LinkTarget }),
        quarantine = a.Quarantine.Select(q => new { original_path = q.OriginalPath, sha256 = q.Sha256, md5 = q.Md5, response_id = q.ResponseId }),
    };
}
