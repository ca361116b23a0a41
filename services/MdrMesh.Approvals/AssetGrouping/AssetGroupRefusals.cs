using MdrMesh.Approvals.Deciding;

namespace MdrMesh.Approvals.AssetGrouping;

/// <summary>No group of the tenant has this id: the API's 404, as for an id of another tenant.</summary>
public sealed class AssetGroupNotFound() : Exception("The asset group was not found.");

/// <summary>Another group of the tenant has the name (ignoring case).</summary>
public sealed class AssetGroupNameTaken(string name) : ApprovalConflict($"The tenant already has an asset group named '{name}'.");

/// <summary>The tenant has as many groups as it may.</summary>
public sealed class TooManyAssetGroups() : ApprovalConflict($"A tenant has at most {AssetGroups.MaxGroups} asset groups: delete one first.");

/// <summary>A rule of the tenant's current policy names the group.</summary>
public sealed class AssetGroupInUse(string name, int ruleNumber, string ruleName)
    : ApprovalConflict($"The asset group '{name}' is used by rule {ruleNumber} '{ruleName}' of the auto-accept rules: change the rules first.");

/// <summary>A group the rules name was deleted while they were being set.</summary>
public sealed class AssetGroupGone(string groupId)
    : ApprovalConflict($"The asset group {groupId} was deleted meanwhile: send the rules again.");
