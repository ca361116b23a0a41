using MdrMesh.Contracts.Responses;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.Simulating;

/// <summary>
/// <c>auto_accept/simulate</c>: the tenant (as for <c>auto_accept/rules/get</c>), a draft policy, and the proposals to
/// replay it over: those proposed at or after <c>from</c> and before <c>to</c> (Unix ms, at most 90 days apart).
/// </summary>
public sealed record SimulateRequest(string? TenantId, DraftPolicyRequest? Draft, long? From, long? To);

/// <summary>
/// The draft: the tenant's mode (<c>ON</c> | <c>OFF</c>), its ordered rules and their time zone, as
/// <c>auto_accept/rules/set</c> takes them.
/// </summary>
public sealed record DraftPolicyRequest(
    [property: OneOf(typeof(DraftPolicy), nameof(DraftPolicy.Modes))] string? Mode,
    List<AutoAcceptRuleRequest>? Rules,
    string? TimeZone = null,
    DraftGuardRequest? Guard = null);

/// <summary>The draft's blast-radius guard, as <c>auto_accept/guard/set</c> takes it (left out: the tenant's own setting).</summary>
public sealed record DraftGuardRequest(
    [property: OneOf(typeof(ResponseType), nameof(ResponseType.All))] List<string>? Types,
    long? Limit,
    long? WindowSeconds);
