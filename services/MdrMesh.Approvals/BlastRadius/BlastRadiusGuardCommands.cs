namespace MdrMesh.Approvals.BlastRadius;

/// <summary>What may happen to a tenant's guard stream; <see cref="BlastRadiusGuard.Decide"/> answers each.</summary>
public interface IGuardCommand;

/// <summary>
/// A proposal of <see cref="Type"/> was decided (<see cref="DecisionEvents"/>: what its decision stream got): an automatic
/// acceptance of a drastic type counts, and the first hold of a trip trips the guard.
/// </summary>
public sealed record FollowDecision(string TenantId, string Type, IReadOnlyList<object> DecisionEvents) : IGuardCommand;

/// <summary><c>auto_accept/guard/set</c>, by connection <see cref="ById"/>.</summary>
public sealed record SetGuard(string TenantId, IReadOnlyList<string> Types, int Limit, TimeSpan Window, DateTimeOffset At, string By, string ById)
    : IGuardCommand;

/// <summary><c>auto_accept/guard/reset</c>, by connection <see cref="ById"/>.</summary>
public sealed record ResetGuard(string TenantId, DateTimeOffset At, string By, string ById) : IGuardCommand;
