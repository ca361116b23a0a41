using MdrMesh.Approvals.AcceptanceRules;

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>What may happen to a tenant's asset groups; <see cref="AssetGroups.Decide"/> answers each.</summary>
public interface IAssetGroupCommand;

/// <summary><c>asset_groups/create</c>, with the id the new group gets.</summary>
public sealed record CreateAssetGroup(string TenantId, string GroupId, string Name, AssetGroupFilter Filter, bool Critical, DateTimeOffset At, string By,
    string ById) : IAssetGroupCommand;

/// <summary><c>asset_groups/update</c>: what is given replaces the group's (null: kept).</summary>
public sealed record UpdateAssetGroup(string TenantId, string GroupId, string? Name, AssetGroupFilter? Filter, bool? Critical, DateTimeOffset At,
    string By, string ById) : IAssetGroupCommand;

/// <summary><c>asset_groups/delete</c>, with the tenant's current rules: a group a rule names stays.</summary>
public sealed record DeleteAssetGroup(string TenantId, string GroupId, IReadOnlyList<AutoAcceptRule> Rules, DateTimeOffset At, string By, string ById)
    : IAssetGroupCommand;
