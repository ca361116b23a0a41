using MdrMesh.Contracts.Responses;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.BlastRadius;

/// <summary><c>auto_accept/guard/get</c> and <c>auto_accept/guard/reset</c>: the tenant (see <see cref="BlastRadiusGuardEndpoints"/> for when it may be left out).</summary>
public sealed record GuardTenantRequest(string? TenantId);

/// <summary><c>auto_accept/guard/set</c>: the tenant and the whole setting: drastic <c>types</c>, <c>limit</c>, <c>window_seconds</c>.</summary>
public sealed record SetGuardRequest(
    string? TenantId,
    [property: OneOf(typeof(ResponseType), nameof(ResponseType.All))] List<string>? Types,
    long? Limit,
    long? WindowSeconds);

/// <summary>
/// A tenant's guard as <c>get</c>, <c>set</c> and <c>reset</c> answer it: its setting, how many automatic drastic acceptances
/// the current window holds, whether it is tripped (and since when), its last reset and its setting's last change.
/// </summary>
public sealed record BlastRadiusGuardView(
    string TenantId,
    IReadOnlyList<string> Types,
    int Limit,
    long WindowSeconds,
    int Count,
    bool Tripped,
    long? TrippedSince,
    long? LastResetTime,
    string? LastResetBy,
    long? UpdateTime,
    string? UpdatedBy);
