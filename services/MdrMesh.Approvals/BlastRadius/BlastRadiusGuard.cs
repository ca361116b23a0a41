using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Responses;

namespace MdrMesh.Approvals.BlastRadius;

/// <summary>
/// A tenant's blast-radius guard: at most <see cref="Limit"/> automatic acceptances of its drastic <see cref="Types"/> per
/// sliding <see cref="Window"/>; beyond it, a response waits for a person. A stream of its own in the tenant's scope, and
/// this document (inline snapshot) that the proposal consumer fetches for writing in its one batch. The count is derived
/// from the stream, so it holds across instances and restarts.
/// </summary>
public sealed record BlastRadiusGuard
{
    public const int DefaultLimit = 20;
    public const int MinLimit = 1;
    public const int MaxLimit = 10_000;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    public static readonly IReadOnlyList<string> DefaultTypes =
        [ResponseType.Isolate, ResponseType.RunScript, ResponseType.TerminateProcess, ResponseType.DeleteRegistryKey];

    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public IReadOnlyList<string> Types { get; init; } = DefaultTypes;
    public int Limit { get; init; } = DefaultLimit;
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>When the automatic drastic acceptances still inside the window were made: at most <see cref="Limit"/>, enough to count.</summary>
    public IReadOnlyList<DateTimeOffset> Accepted { get; init; } = [];

    /// <summary>When the guard held its first response since the limit was reached; null once it accepts again or is reset.</summary>
    public DateTimeOffset? TrippedSince { get; init; }
    public DateTimeOffset? ResetAt { get; init; }
    public string? ResetBy { get; init; }
    public DateTimeOffset? ChangedAt { get; init; }
    public string? ChangedBy { get; init; }

    /// <summary>The stream id of a tenant's guard, derived from the tenant (and apart from its switch's and rules').</summary>
    public static Guid StreamIdOf(string tenantId) => NameBasedId.Of($"mdrmesh/auto-accept-guard/{tenantId}");

    /// <summary>A tenant's guard before anything happened to it: the defaults, nothing counted.</summary>
    public static BlastRadiusGuard Initial(string tenantId) => new() { Id = StreamIdOf(tenantId), TenantId = tenantId };

    public bool Counts(string type) => Types.Contains(type);

    /// <summary>The automatic drastic acceptances in the window that ends at <paramref name="now"/>: one exactly a window old no longer counts.</summary>
    public int CountAt(DateTimeOffset now) => Accepted.Count(at => at > now - Window);

    /// <summary>Whether an automatic acceptance of <paramref name="type"/> at <paramref name="now"/> must wait for a person instead.</summary>
    public bool Holds(string type, DateTimeOffset now) => Counts(type) && CountAt(now) >= Limit;

    public bool IsTrippedAt(DateTimeOffset now) => TrippedSince is not null && CountAt(now) >= Limit;

    /// <summary>Why a response waits, as history shows it.</summary>
    public string Reason => $"blast-radius guard, {Limit} automatic drastic acceptances within {Describe(Window)}";

    /// <summary>
    /// The guard stream's events. A decided proposal: an automatic acceptance of a drastic type counts; a hold trips the
    /// guard once per trip. Kept apart from <see cref="Decisions.Decide"/>, which decides the decision stream alone: each
    /// stream has its own pure decider, and the proposal consumer appends both in one commit.
    /// </summary>
    public static IReadOnlyList<object> Decide(IGuardCommand command, BlastRadiusGuard? current) => command switch
    {
        FollowDecision f => Follow(f, current ?? Initial(f.TenantId)),
        SetGuard s => Set(s, current ?? Initial(s.TenantId)),
        ResetGuard r => [new BlastRadiusGuardReset(r.TenantId, (current ?? Initial(r.TenantId)).CountAt(r.At), r.At, r.By, r.ById)],
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "No decision for this command."),
    };

    private static IReadOnlyList<object> Follow(FollowDecision command, BlastRadiusGuard guard) =>
        command.DecisionEvents.SelectMany<object, object>(e => e switch
        {
            ResponseAccepted { AutoAccepted: not null } accepted when guard.Counts(command.Type) =>
                [new AutoAcceptanceCounted(command.TenantId, accepted.ResponseId, command.Type, accepted.At)],
            AutoAcceptanceHeld held when !guard.IsTrippedAt(held.At) =>
                [new GuardTripped(command.TenantId, held.ResponseId, guard.Limit, guard.Window, held.At)],
            _ => [],
        }).ToList();

    // The same settings again change nothing.
    private static IReadOnlyList<object> Set(SetGuard command, BlastRadiusGuard guard) =>
        guard.Limit == command.Limit && guard.Window == command.Window && guard.Types.SequenceEqual(command.Types)
            ? []
            : [new BlastRadiusGuardSet(command.TenantId, command.Types, command.Limit, command.Window, guard.Types, guard.Limit, guard.Window,
                command.At, command.By, command.ById)];

    public static BlastRadiusGuard Create(BlastRadiusGuardSet e) => Initial(e.TenantId).Apply(e);

    public static BlastRadiusGuard Create(AutoAcceptanceCounted e) => Initial(e.TenantId).Apply(e);

    public static BlastRadiusGuard Create(BlastRadiusGuardReset e) => Initial(e.TenantId).Apply(e);

    // Times older than the window can never count again, and more than the limit are never needed to know it is reached.
    public BlastRadiusGuard Apply(AutoAcceptanceCounted e) => this with
    {
        Accepted = Accepted.Where(at => at > e.At - Window).Append(e.At).TakeLast(Limit).ToList(), TrippedSince = null,
    };

    public BlastRadiusGuard Apply(GuardTripped e) => this with { TrippedSince = e.At };

    public BlastRadiusGuard Apply(BlastRadiusGuardSet e) => this with
    {
        Types = e.Types, Limit = e.Limit, Window = e.Window, Accepted = Accepted.TakeLast(e.Limit).ToList(), ChangedAt = e.At, ChangedBy = e.By,
    };

    public BlastRadiusGuard Apply(BlastRadiusGuardReset e) => this with { Accepted = [], TrippedSince = null, ResetAt = e.At, ResetBy = e.By };

    /// <summary>The decider's fold: the same steps as Create/Apply, which Marten's inline snapshot calls.</summary>
    // Ignored by Marten's source generator, which otherwise takes a method named Evolve for the snapshot's own (one-argument) fold.
    [JasperFx.Core.JasperFxIgnore]
    public static BlastRadiusGuard? Evolve(BlastRadiusGuard? guard, object e) => e switch
    {
        AutoAcceptanceCounted x => (guard ?? Initial(x.TenantId)).Apply(x),
        GuardTripped x => (guard ?? Initial(x.TenantId)).Apply(x),
        BlastRadiusGuardSet x => (guard ?? Initial(x.TenantId)).Apply(x),
        BlastRadiusGuardReset x => (guard ?? Initial(x.TenantId)).Apply(x),
        _ => guard,
    };

    /// <summary>A window as people say it: "10 minutes", "1 hour", "90 seconds".</summary>
    public static string Describe(TimeSpan window)
    {
        var seconds = (long)window.TotalSeconds;
        var (count, unit) = seconds switch
        {
            > 0 when seconds % 86_400 == 0 => (seconds / 86_400, "day"),
            > 0 when seconds % 3_600 == 0 => (seconds / 3_600, "hour"),
            > 0 when seconds % 60 == 0 => (seconds / 60, "minute"),
            _ => (seconds, "second"),
        };
        return $"{count} {unit}{(count == 1 ? "" : "s")}";
    }
}
