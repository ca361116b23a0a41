using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary><c>auto_accept/rules/get</c>: the tenant (see <see cref="AutoAcceptRulesEndpoints"/> for when it may be left out).</summary>
public sealed record GetAutoAcceptRulesRequest(string? TenantId);

/// <summary><c>auto_accept/rules/history</c>: the tenant (as for <c>get</c>) and a page of its policy's changes, latest first.</summary>
public sealed record AutoAcceptRulesHistoryRequest(string? TenantId, int? Page, int? PageSize);

/// <summary>
/// One change of a tenant's rules: the version it made, who (name, connection id), when, the rules before and after, the
/// time zone after.
/// </summary>
public sealed record AutoAcceptRulesChangeView(long Version, IReadOnlyList<AutoAcceptRule> RulesBefore, IReadOnlyList<AutoAcceptRule> RulesAfter,
    long ChangedAt, string ChangedBy, string ChangedById, string TimeZone = TenantTimeZone.Utc);

/// <summary>
/// <c>auto_accept/rules/set</c>: the tenant, its whole ordered list of rules (an empty list removes them all) and its
/// time zone (an IANA name such as <c>Europe/Berlin</c>; default UTC), in which the rules' time windows are read.
/// </summary>
public sealed record SetAutoAcceptRulesRequest(string? TenantId, List<AutoAcceptRuleRequest>? Rules,
    [property: System.ComponentModel.Description("The tenant's time zone, an IANA name such as Europe/Berlin (default UTC): rules' time windows are in it.")]
    string? TimeZone = null);

/// <summary>
/// One rule as a caller sends it: <c>name</c>, optional matchers (<c>types</c>, <c>asset_ids</c>, <c>asset_groups</c> (group
/// ids of the tenant), <c>priorities</c>, <c>mitre_techniques</c>, <c>time_window</c>; none: any), <c>action</c>.
/// </summary>
public sealed record AutoAcceptRuleRequest(
    string? Name,
    [property: OneOf(typeof(ResponseType), nameof(ResponseType.All))] List<string>? Types,
    List<string>? AssetIds,
    [property: OneOf(typeof(RuleAction), nameof(RuleAction.All))] string? Action,
    [property: OneOf(typeof(IncidentPriority), nameof(IncidentPriority.All))] List<string>? Priorities = null,
    [property: System.ComponentModel.Description("MITRE ATT&CK techniques (T1059) or sub-techniques (T1059.001); a technique also matches its sub-techniques.")]
    List<string>? MitreTechniques = null,
    TimeWindowRequest? TimeWindow = null,
    List<string>? AssetGroups = null);

/// <summary>
/// A rule's time window in the tenant's time zone: <c>days</c> (none: every day), <c>from</c> and <c>to</c> (<c>HH:mm</c>;
/// <c>from</c> after <c>to</c> runs across midnight, on the day it starts).
/// </summary>
public sealed record TimeWindowRequest(
    [property: OneOf(typeof(TimeWindow), nameof(TimeWindow.DayNames))] List<string>? Days,
    [property: System.ComponentModel.Description("Local start time, HH:mm (included).")] string? From,
    [property: System.ComponentModel.Description("Local end time, HH:mm (not included); before from: the window runs across midnight.")] string? To);

/// <summary>
/// A tenant's rules as <c>auto_accept/rules/get</c> and <c>set</c> answer them: the policy version (0: never set), the
/// rules in order (the first that matches decides), when and by whom they last changed, the tenant's time zone.
/// </summary>
public sealed record AutoAcceptRulesView(string TenantId, long Version, IReadOnlyList<AutoAcceptRule> Rules, long? UpdateTime, string? UpdatedBy,
    string TimeZone = TenantTimeZone.Utc);
