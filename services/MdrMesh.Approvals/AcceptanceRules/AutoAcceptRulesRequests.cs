using MdrMesh.Contracts.Responses;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary><c>auto_accept/rules/get</c>: the tenant (see <see cref="AutoAcceptRulesEndpoints"/> for when it may be left out).</summary>
public sealed record GetAutoAcceptRulesRequest(string? TenantId);

/// <summary><c>auto_accept/rules/history</c>: the tenant (as for <c>get</c>) and a page of its policy's changes, latest first.</summary>
public sealed record AutoAcceptRulesHistoryRequest(string? TenantId, int? Page, int? PageSize);

/// <summary>One change of a tenant's rules: the version it made, who (name, connection id), when, the rules before and after.</summary>
public sealed record AutoAcceptRulesChangeView(long Version, IReadOnlyList<AutoAcceptRule> RulesBefore, IReadOnlyList<AutoAcceptRule> RulesAfter,
    long ChangedAt, string ChangedBy, string ChangedById);

/// <summary><c>auto_accept/rules/set</c>: the tenant and its whole ordered list of rules (an empty list removes them all).</summary>
public sealed record SetAutoAcceptRulesRequest(string? TenantId, List<AutoAcceptRuleRequest>? Rules);

/// <summary>
/// One rule as a caller sends it: <c>name</c>, optional <c>types</c>, <c>asset_ids</c> and <c>asset_groups</c> (group ids
/// of the tenant; none: any), <c>action</c>.
/// </summary>
public sealed record AutoAcceptRuleRequest(
    string? Name,
    [property: OneOf(typeof(ResponseType), nameof(ResponseType.All))] List<string>? Types,
    List<string>? AssetIds,
    [property: OneOf(typeof(RuleAction), nameof(RuleAction.All))] string? Action,
    List<string>? AssetGroups = null);

/// <summary>
/// A tenant's rules as <c>auto_accept/rules/get</c> and <c>set</c> answer them: the policy version (0: never set), the
/// rules in order (the first that matches decides), when and by whom they last changed.
/// </summary>
public sealed record AutoAcceptRulesView(string TenantId, long Version, IReadOnlyList<AutoAcceptRule> Rules, long? UpdateTime, string? UpdatedBy);
