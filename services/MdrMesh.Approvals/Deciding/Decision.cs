using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;

namespace MdrMesh.Approvals.Deciding;

/// <summary>
/// A proposal arrived: what it is, and what the rules matched on (the incident's <see cref="Priority"/> and
/// <see cref="MitreTechniques"/>, null in proposals recorded before), so that a replay of the proposal decides the same.
/// <see cref="Accepted"/>: the acceptance decided with it (by a rule or the setting), stored in the same event (one row
/// instead of two, see <see cref="Decision.Stored"/>); null when the proposal waited, and in streams recorded before.
/// </summary>
public sealed record ResponseProposed(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    ResponseParameters Parameters,
    string? Description,
    DateTimeOffset ProposedAt,
    string ProposedBy,
    DateTimeOffset Deadline,
    string? ProposedById = null,
    string? Priority = null,
    IReadOnlyList<string>? MitreTechniques = null,
    ResponseAccepted? Accepted = null);

/// <summary>
/// Accepted, by a person (connection <see cref="ById"/>) or (with <see cref="AutoAccepted"/>, no id) by the auto-accept setting,
/// and the execution the acceptance asks for (<see cref="Execution"/>: in the same event, one row; null in acceptances
/// recorded before, which an <see cref="ExecutionRequested"/> event followed).
/// </summary>
public sealed record ResponseAccepted(Guid ResponseId, Guid IncidentId, string? Comment, AutoAcceptance? AutoAccepted, DateTimeOffset At, string By,
    string? ById = null, ExecutionRequested? Execution = null);

/// <summary>
/// Declined: by a person (connection <see cref="ById"/>), because the incident closed, or because the deadline passed
/// (<see cref="RejectionReason"/>; no id: the system declined).
/// </summary>
public sealed record ResponseRejected(Guid ResponseId, Guid IncidentId, string Reason, string? Comment, DateTimeOffset At, string By,
    string? ById = null);

/// <summary>
/// The executor is asked to run an accepted response: everything it needs travels with the request. Part of its
/// <see cref="ResponseAccepted"/>; an event of its own in streams recorded before.
/// </summary>
public sealed record ExecutionRequested(Guid ResponseId, Guid IncidentId, string AssetId, ResponseParameters Parameters, DateTimeOffset At, string By);

/// <summary>
/// The policy would have accepted the response automatically, but the tenant's blast-radius guard held it: <see cref="Limit"/>
/// automatic acceptances of drastic types within <see cref="Window"/> already. It waits for a person (still New).
/// </summary>
public sealed record AutoAcceptanceHeld(Guid ResponseId, Guid IncidentId, string Reason, int Limit, TimeSpan Window, DateTimeOffset At);

/// <summary>
/// The response waits for a person (no rule or setting accepted it, or the guard held it) until <see cref="Deadline"/>:
/// announced, so that whoever must decide hears of it.
/// </summary>
public sealed record DecisionAwaited(Guid ResponseId, Guid IncidentId, string AssetId, string ResponseType, DateTimeOffset Deadline, DateTimeOffset At);

/// <summary>One response's decision stream, and the document decisions are queried from (inline snapshot).</summary>
public sealed record Decision
{
    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public Guid IncidentId { get; init; }
    public string AssetId { get; init; } = "";
    public ResponseParameters Parameters { get; init; } = new DisableIsolationParameters();
    public string? Description { get; init; }
    public DateTimeOffset ProposedAt { get; init; }
    public string ProposedBy { get; init; } = "";
    /// <summary>The proposing connection's id (null for proposals announced before ids travelled).</summary>
    public string? ProposedById { get; init; }
    public DateTimeOffset Deadline { get; init; }
    public DecisionStatus Status { get; init; } = DecisionStatus.New;
    public string? DecidedBy { get; init; }
    /// <summary>The deciding connection's id; null when the system decided (auto-accept, deadline, closed incident).</summary>
    public string? DecidedById { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? Comment { get; init; }
    public string? Reason { get; init; }
    public AutoAcceptance? AutoAccepted { get; init; }
    /// <summary>The incident's priority when proposed (null for proposals recorded before it travelled).</summary>
    public string? Priority { get; init; }
    /// <summary>The incident's MITRE techniques when proposed (null for proposals recorded before they travelled).</summary>
    public IReadOnlyList<string>? MitreTechniques { get; init; }

    public bool IsPending => Status == DecisionStatus.New;

    public static Decision Create(ResponseProposed e)
    {
        var proposed = new Decision
        {
            Id = e.ResponseId, TenantId = e.TenantId, IncidentId = e.IncidentId, AssetId = e.AssetId, Parameters = e.Parameters,
            Description = e.Description, ProposedAt = e.ProposedAt, ProposedBy = e.ProposedBy, ProposedById = e.ProposedById, Deadline = e.Deadline,
            Priority = e.Priority, MitreTechniques = e.MitreTechniques,
        };
        return e.Accepted is { } accepted ? proposed.Apply(accepted) : proposed;
    }

    /// <summary>
    /// The decided events as the stream stores them: a proposal accepted at once is one event, the proposal holding its
    /// acceptance (which announces as the acceptance does); anything else as decided.
    /// </summary>
    public static IReadOnlyList<object> Stored(IReadOnlyList<object> decided) =>
        decided is [ResponseProposed proposed, ResponseAccepted accepted] ? [proposed with { Accepted = accepted }] : decided;

    public Decision Apply(ResponseAccepted e) => this with
    {
        Status = DecisionStatus.Confirmed, DecidedBy = e.By, DecidedById = e.ById, DecidedAt = e.At, Comment = e.Comment, AutoAccepted = e.AutoAccepted,
    };

    public Decision Apply(ResponseRejected e) => this with
    {
        Status = DecisionStatus.Declined, DecidedBy = e.By, DecidedById = e.ById, DecidedAt = e.At, Comment = e.Comment, Reason = e.Reason,
    };

    public Decision Apply(ExecutionRequested e) => this;

    /// <summary>A hold changes nothing: the response waits for a person as any other.</summary>
    public Decision Apply(AutoAcceptanceHeld e) => this;

    public Decision Apply(DecisionAwaited e) => this;

    /// <summary>The decider's fold: the same steps as Create/Apply, which Marten's inline snapshot calls.</summary>
    // Ignored by Marten's source generator, which otherwise takes a method named Evolve for the snapshot's own (one-argument) fold.
    [JasperFx.Core.JasperFxIgnore]
    public static Decision? Evolve(Decision? d, object e) => (d, e) switch
    {
        (null, ResponseProposed x) => Create(x),
        (not null, ResponseAccepted x) => d.Apply(x),
        (not null, ResponseRejected x) => d.Apply(x),
        _ => d,
    };
}

/// <summary>A change the current state forbids; the API answers 409 and nothing is recorded.</summary>
public abstract class ApprovalConflict(string message) : Exception(message);

/// <summary>A second decision on a response that is already decided.</summary>
public sealed class AlreadyDecided(Decision decision)
    : ApprovalConflict($"The response is already {decision.Status}, by {decision.DecidedBy}.");

/// <summary>With separation of duties on, the connection that proposed a response may not decide it.</summary>
public sealed class SameDecider()
    : ApprovalConflict("The connection that proposed this response may not decide it: another connection must (separation of duties).");
