using System.Collections.Frozen;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.Deciding;

/// <summary>Every decision on a response, as one pure function of the command and the state.</summary>
public static class Decisions
{
    public const string AutoAcceptActor = "auto-accept";
    public const string SystemActor = "mdrmesh";

    /// <summary>
    /// The events a command leads to on a response's decision stream (<paramref name="decision"/>: null before the
    /// proposal). A proposal seen before (a redelivery, a replay) decides nothing; a person's decision on a decided
    /// response is refused (<see cref="AlreadyDecided"/>, <see cref="SameDecider"/>: the API's 409).
    /// </summary>
    public static IReadOnlyList<object> Decide(IDecisionCommand command, Decision? decision) => (command, decision) switch
    {
        (Propose p, null) => Proposal(p.Proposal, p.Setting, p.Rules, p.IncidentClosed, p.Deadline, p.Now, p.AssetGroups, p.Guard),
        (Propose, _) => [],
        (_, null) => throw new InvalidOperationException($"{command.GetType().Name} on a response that was never proposed."),
        (DecideByPerson p, _) => ByPerson(decision, p.Status, p.Comment, p.Now, p.By, p.ById, p.SeparateDecider),
        (Expire e, _) => Overdue(decision, e.Now),
        (DeclineForClosedIncident c, _) => IncidentClosed(decision, c.Now),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "No decision for this command."),
    };

    /// <summary>
    /// A new proposal: declined if its incident is already closed; otherwise the tenant's rules decide (the first
    /// that matches: <c>ACCEPT</c> accepts at once, naming the policy version and the rule; <c>MANUAL</c> leaves it
    /// waiting even with auto-accept on); when no rule matches, the tenant's effective auto-accept mode decides. The rules
    /// read the proposal as it is recorded (<see cref="ProposalFacts.Of"/>), at its own time: a replay decides the same. An
    /// automatic acceptance of a drastic type beyond the tenant's blast-radius guard waits for a person instead, saying why.
    /// </summary>
    private static IReadOnlyList<object> Proposal(Messages.ResponseProposed proposal, AutoAcceptSetting setting, AutoAcceptRules? rules,
        bool incidentClosed, TimeSpan deadline, DateTimeOffset now, IReadOnlySet<string>? assetGroups, BlastRadiusGuard? guard)
    {
        var requested = new ResponseProposed(proposal.ResponseId, proposal.TenantId, proposal.IncidentId, proposal.AssetId, proposal.Parameters,
            proposal.Description, proposal.At, proposal.By, now + deadline, proposal.ById, proposal.Priority, proposal.MitreTechniques);
        if (incidentClosed)
            return [requested, new ResponseRejected(proposal.ResponseId, proposal.IncidentId, Messages.RejectionReason.IncidentClosed,
                "Declined automatically: the incident was closed.", now, SystemActor)];
        var facts = ProposalFacts.Of(requested) with { AssetGroups = assetGroups ?? FrozenSet<string>.Empty };
        var acceptance = AutoAcceptRules.FirstMatch(rules?.Rules ?? [], facts, rules?.TimeZone ?? TenantTimeZone.Utc) switch
        {
            { Action: RuleAction.Accept } rule => new Messages.AutoAcceptance(rules!.Version, $"RULE:{rule.Number}", rule.Number, rule.Name),
            { Action: RuleAction.Manual } => null,
            _ => setting.Allows(proposal.TenantId),
        };
        var awaited = new DecisionAwaited(proposal.ResponseId, proposal.IncidentId, proposal.AssetId, proposal.Parameters.Type, requested.Deadline, now);
        if (acceptance is null) return [requested, awaited];
        guard ??= BlastRadiusGuard.Initial(proposal.TenantId);
        if (guard.Holds(proposal.Parameters.Type, now))
            return [requested, new AutoAcceptanceHeld(proposal.ResponseId, proposal.IncidentId, guard.Reason, guard.Limit, guard.Window, now), awaited];
        return [requested, .. Accept(Decision.Create(requested), null, acceptance, now, AutoAcceptActor, null)];
    }

    /// <summary>
    /// A person's <c>Confirmed</c> or <c>Declined</c>, by connection <paramref name="byId"/>. A response is
    /// decided once; with <paramref name="separateDecider"/> not by the connection that proposed it.
    /// </summary>
    private static IReadOnlyList<object> ByPerson(Decision decision, DecisionStatus status, string comment, DateTimeOffset now, string by, string byId,
        bool separateDecider = false)
    {
        if (!decision.IsPending) throw new AlreadyDecided(decision);
        // Proposals announced before ids travelled carry none: nothing to compare, so they are not refused.
        if (separateDecider && decision.ProposedById is { Length: > 0 } proposer && proposer == byId) throw new SameDecider();
        return status == DecisionStatus.Confirmed
            ? Accept(decision, comment, null, now, by, byId)
            : [new ResponseRejected(decision.Id, decision.IncidentId, Messages.RejectionReason.Declined, comment, now, by, byId)];
    }

    /// <summary>Still waiting when the tenant's deadline passed: declined, saying why.</summary>
    private static IReadOnlyList<object> Overdue(Decision decision, DateTimeOffset now) =>
        decision.IsPending && now >= decision.Deadline
            ? [new ResponseRejected(decision.Id, decision.IncidentId, Messages.RejectionReason.DeadlinePassed,
                $"Declined automatically: no decision by the deadline ({decision.Deadline:u}).", now, SystemActor)]
            : [];

    /// <summary>The incident closed while the response waited.</summary>
    private static IReadOnlyList<object> IncidentClosed(Decision decision, DateTimeOffset now) =>
        decision.IsPending
            ? [new ResponseRejected(decision.Id, decision.IncidentId, Messages.RejectionReason.IncidentClosed, "Declined automatically: the incident was closed.", now, SystemActor)]
            : [];

    private static IReadOnlyList<object> Accept(Decision decision, string? comment, Messages.AutoAcceptance? acceptance, DateTimeOffset now, string by,
        string? byId) =>
    [
        new ResponseAccepted(decision.Id, decision.IncidentId, comment, acceptance, now, by, byId,
            new ExecutionRequested(decision.Id, decision.IncidentId, decision.AssetId, decision.Parameters, now, by)),
    ];
}
