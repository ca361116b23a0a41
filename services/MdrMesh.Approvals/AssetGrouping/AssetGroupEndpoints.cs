using Marten;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Contracts.Assets;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>
/// <c>asset_groups/create</c>, <c>list</c>, <c>update</c>, <c>delete</c>: one tenant's saved asset filters, named by
/// auto-accept rules. The tenant is named as in the rules methods (<see cref="AutoAcceptRulesEndpoints"/>); a tenant the
/// connection does not reach, or a group that is not the tenant's, is a 404.
/// </summary>
public static class AssetGroupEndpoints
{
    public const int MaxDomain = 256;
    public const int MaxTag = 64;

    public static async Task<IResult> Create(CreateAssetGroupRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        new Check(errors, "name").NonEmpty(request.Name, AssetGroups.MaxName);
        var filter = FilterOf(request.Filter, new Check(errors, "filter"));
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        var command = new CreateAssetGroup(tenant!, Guid.NewGuid().ToString(), request.Name!, filter!, request.Critical ?? false, clock.GetUtcNow(),
            caller.Name, caller.Id);
        var created = await WriteAsync(store, tenant!, command, ct);
        return Results.Ok(View(tenant!, created.After!.Find(command.GroupId)!));
    }

    /// <summary>The tenant's groups by name (ignoring case), a page at a time.</summary>
    public static async Task<IResult> List(ListAssetGroupsRequest? request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request?.TenantId, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var query = store.QuerySession(tenant!);
        var groups = (await query.LoadAsync<AssetGroups>(AssetGroups.StreamIdOf(tenant!), ct))?.Groups ?? [];
        return Results.Ok(Paging.Page(groups.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase).Select(g => View(tenant!, g)), request?.Page,
            request?.PageSize));
    }

    public static async Task<IResult> Update(UpdateAssetGroupRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        new Check(errors, "group_id").Required(request.GroupId);
        new Check(errors, "name").NonEmpty(request.Name, AssetGroups.MaxName, required: false);
        var filter = request.Filter is null ? null : FilterOf(request.Filter, new Check(errors, "filter"));
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        var command = new UpdateAssetGroup(tenant!, request.GroupId!, request.Name, filter, request.Critical, clock.GetUtcNow(), caller.Name, caller.Id);
        try
        {
            var updated = await WriteAsync(store, tenant!, command, ct);
            return Results.Ok(View(tenant!, updated.After!.Find(command.GroupId)!));
        }
        catch (AssetGroupNotFound)
        {
            return ApiProblems.NotFound("The asset group");
        }
    }

    /// <summary>Deletes a group no rule of the tenant's current policy names; answers the group as it was.</summary>
    public static async Task<IResult> Delete(DeleteAssetGroupRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        new Check(errors, "group_id").Required(request.GroupId);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        try
        {
            var deleted = await store.WriteAsync(tenant!, async session =>
            {
                // The groups' stream row locked before the rules are read, as auto_accept/rules/set locks it before it
                // appends: rules naming the group are either seen here or set after the group is gone (and refused).
                var stream = await session.Events.FetchForExclusiveWriting<AssetGroups>(AssetGroups.StreamIdOf(tenant!), ct);
                var rules = await session.LoadAsync<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(tenant!), ct);
                IAssetGroupCommand command = new DeleteAssetGroup(tenant!, request.GroupId!, rules?.Rules ?? [], clock.GetUtcNow(), caller.Name, caller.Id);
                return stream.Decide(command, AssetGroups.Decide, AssetGroups.Evolve);
            }, ct);
            return Results.Ok(View(tenant!, deleted.Before!.Find(request.GroupId!)!));
        }
        catch (AssetGroupNotFound)
        {
            return ApiProblems.NotFound("The asset group");
        }
    }

    // One stream per tenant: two changes at once are decided one after the other (a name taken meanwhile is refused).
    private static Task<Decided<AssetGroups>> WriteAsync(IDocumentStore store, string tenant, IAssetGroupCommand command, CancellationToken ct) =>
        store.WriteAsync(tenant, async session =>
            (await session.Events.FetchForWriting<AssetGroups>(AssetGroups.StreamIdOf(tenant), ct)).Decide(command, AssetGroups.Decide,
                AssetGroups.Evolve), ct);

    /// <summary>Every bad criterion named (<c>filter.os[1]</c>); no filter: every asset.</summary>
    private static AssetGroupFilter? FilterOf(AssetGroupFilterRequest? filter, Check at)
    {
        if (filter is null) return new AssetGroupFilter();
        var ok = AutoAcceptRulesEndpoints.Matchers(filter.Os, at.Field("os"), (item, value) => item.OneOf(value, OsFamilies.All));
        ok &= AutoAcceptRulesEndpoints.Matchers(filter.Domain, at.Field("domain"), (item, value) => item.NonEmpty(value, MaxDomain));
        ok &= at.Field("host_name_pattern").NonEmpty(filter.HostNamePattern, HostNameGlob.MaxLength, required: false);
        ok &= AutoAcceptRulesEndpoints.Matchers(filter.Tags, at.Field("tags"), (item, value) => item.NonEmpty(value, MaxTag));
        return ok
            ? new AssetGroupFilter { Os = [.. filter.Os ?? []], Domain = [.. filter.Domain ?? []], HostNamePattern = filter.HostNamePattern, Tags = [.. filter.Tags ?? []] }
            : null;
    }

    private static AssetGroupView View(string tenantId, AssetGroup g) =>
        new(g.GroupId, tenantId, g.Name, g.Filter, g.Critical, g.ChangedAt.ToUnixMs(), g.ChangedBy);
}
