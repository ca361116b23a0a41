namespace MdrMesh.Approvals.BlastRadius;

/// <summary>
/// One automatic acceptance of a drastic type, counted by the tenant's guard: appended in the same commit as the
/// acceptance, so two instances deciding at once collide on the guard stream's version.
/// </summary>
public sealed record AutoAcceptanceCounted(string TenantId, Guid ResponseId, string Type, DateTimeOffset At);

/// <summary>The guard held its first response of a trip: <see cref="Limit"/> automatic drastic acceptances within <see cref="Window"/>.</summary>
public sealed record GuardTripped(string TenantId, Guid ResponseId, int Limit, TimeSpan Window, DateTimeOffset At);

/// <summary><c>auto_accept/guard/set</c>: the tenant's drastic types, limit and window, before and after; who (name, connection id) and when.</summary>
public sealed record BlastRadiusGuardSet(
    string TenantId,
    IReadOnlyList<string> Types,
    int Limit,
    TimeSpan Window,
    IReadOnlyList<string> PreviousTypes,
    int PreviousLimit,
    TimeSpan PreviousWindow,
    DateTimeOffset At,
    string By,
    string ById);

/// <summary><c>auto_accept/guard/reset</c>: a person started the count again (<see cref="CountBefore"/>: what the window held then).</summary>
public sealed record BlastRadiusGuardReset(string TenantId, int CountBefore, DateTimeOffset At, string By, string ById);
