using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.Gateway.Access;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.Tenants;

/// <summary>A customer's tenant. Data of no tenant lives in the root scope, <c>root</c>.</summary>
public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt, string CreatedBy);

public sealed record CreateTenantRequest(string? Name);

public sealed record UpdateTenantRequest(string? TenantId, string? Name);

/// <summary><c>tenants/list</c>: a page, by name. The body is optional: a caller that sends none gets the first page.</summary>
public sealed record ListTenantsRequest(int? Page, int? PageSize);

/// <summary><c>tenants/create</c>, <c>tenants/list</c>, <c>tenants/update</c>.</summary>
public static class TenantEndpoints
{
    /// <summary>With an <c>Idempotency-Key</c>, the answer is stored in the commit that creates the tenant; a retry gets it again.</summary>
    public static async Task<IResult> Create(CreateTenantRequest request, HttpContext context, IdempotencyKey key, IDocumentStore store,
        TimeProvider clock, CancellationToken ct)
    {
        if (key.Problem is { } badKey) return badKey;
        var errors = new List<ValidationError>();
        new Check(errors, "name").NonEmpty(request.Name, 256);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var caller = context.Connection();
        var tenant = new Tenant(AccessStore.NewId("t"), request.Name!, clock.GetUtcNow(), caller.Name);
        var idempotent = key.For(caller.Id, "tenants/create", request);
        try
        {
            await store.WriteAsync(null, async session =>
            {
                if (idempotent is not null) await idempotent.ThrowIfAnsweredAsync(session, ct);
                session.Store(tenant);
                // A customer's administrator reaches the tenants they create.
                if (!caller.AllTenants && await session.LoadAsync<ApiConnection>(caller.Id, ct) is { } current)
                    session.Store(current with { TenantIds = [.. current.TenantIds, tenant.Id] });
                idempotent?.Insert(session, View(tenant), tenant.CreatedAt);
                return tenant;
            }, ct);
        }
        catch (AlreadyAnswered answered)
        {
            return idempotent!.Replay(answered.Record);
        }
        context.RequestServices.GetRequiredService<ConnectionCache>().Evict(caller.Id);
        context.RequestServices.GetRequiredService<TenantNames>().Evict();
        return Results.Ok(View(tenant));
    }

    /// <summary>The page of the tenants the caller reaches, chosen, sorted and cut by PostgreSQL.</summary>
    public static async Task<IResult> List(ListTenantsRequest? request, HttpContext context, IDocumentStore store, CancellationToken ct)
    {
        var (skip, take) = Paging.Window(request?.Page, request?.PageSize);
        await using var query = store.QuerySession();
        var tenants = await Reachable(query.Query<Tenant>(), context.Connection()).OrderBy(t => t.Name).ThenBy(t => t.Id).Skip(skip).Take(take)
            .ToListAsync(ct);
        return Results.Ok(tenants.Select(View).ToList());
    }

    private static IQueryable<Tenant> Reachable(IQueryable<Tenant> tenants, IActor caller)
    {
        if (caller.AllTenants) return tenants;
        var ids = caller.TenantIds.ToArray();
        return tenants.Where(t => t.Id.IsOneOf(ids));
    }

    public static async Task<IResult> Update(UpdateTenantRequest request, HttpContext context, IDocumentStore store, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "tenant_id").NonEmpty(request.TenantId, 128);
        new Check(errors, "name").NonEmpty(request.Name, 256);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        await using var session = store.LightweightSession();
        var tenant = await session.LoadAsync<Tenant>(request.TenantId!, ct);
        if (tenant is null || !context.Connection().CanReach(tenant.Id)) return ApiProblems.NotFound("The tenant");
        var renamed = tenant with { Name = request.Name! };
        session.Store(renamed);
        await session.SaveChangesAsync(ct);
        context.RequestServices.GetRequiredService<TenantNames>().Evict();
        return Results.Ok(View(renamed));
    }

    private static TenantView View(Tenant t) => new(t.Id, t.Name, t.CreatedAt.ToUnixMs(), t.CreatedBy);
}

public sealed record TenantView(string TenantId, string Name, long CreatedAt, string CreatedBy);
