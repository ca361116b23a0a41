using MdrMesh.Contracts.Assets;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary><c>asset_groups/create</c>: the tenant (as for the rules methods), a name unique in it (ignoring case), the filter, the critical mark.</summary>
public sealed record CreateAssetGroupRequest(string? TenantId, string? Name, AssetGroupFilterRequest? Filter, bool? Critical);

/// <summary><c>asset_groups/list</c>: the tenant's groups by name, a page at a time.</summary>
public sealed record ListAssetGroupsRequest(string? TenantId, int? Page, int? PageSize);

/// <summary><c>asset_groups/update</c>: the group, and what changes (a field left out keeps its value; a filter given replaces the whole filter).</summary>
public sealed record UpdateAssetGroupRequest(string? TenantId, string? GroupId, string? Name, AssetGroupFilterRequest? Filter, bool? Critical);

/// <summary><c>asset_groups/delete</c>: the group; one a rule of the tenant's current policy names is not deleted (409).</summary>
public sealed record DeleteAssetGroupRequest(string? TenantId, string? GroupId);

/// <summary>
/// A group's filter as a caller sends it, with <c>assets/list</c>'s names: <c>os</c> (OS families), <c>domain</c> (a
/// list here: any of them), <c>host_name_pattern</c> (<c>*</c> and <c>?</c>, ignoring case), <c>tags</c> (any of them).
/// </summary>
public sealed record AssetGroupFilterRequest(
    [property: OneOf(typeof(OsFamilies), nameof(OsFamilies.All))] List<string>? Os,
    List<string>? Domain,
    string? HostNamePattern,
    List<string>? Tags);

/// <summary>A group as the asset_groups methods answer it: who changed it last and when (Unix milliseconds).</summary>
public sealed record AssetGroupView(string GroupId, string TenantId, string Name, AssetGroupFilter Filter, bool Critical, long UpdateTime,
    string UpdatedBy);
