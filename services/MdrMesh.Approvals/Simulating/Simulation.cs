using System.Globalization;
using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Approvals.BlastRadius;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Responses;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.Simulating;

/// <summary>
/// A draft policy replayed over a tenant's recorded decisions, as a pure function: each proposal is decided again by
/// the live path's own decider (<see cref="Decisions.Decide"/>), in proposal-time order, and the outcome compared with
/// what actually happened. Nothing is read or written here.
/// </summary>
public static class Simulation
{
    /// <summary>At most this many proposals are replayed per call; the answer says when the range held more.</summary>
    public const int MaxProposals = 10_000;

    /// <summary>At most this many differences, and warnings, are listed; their totals count them all.</summary>
    public const int MaxListed = 1_000;

    /// <summary>Responses whose automatic acceptance deserves a warning where a person actually decided: the drastic ones the guard counts by default.</summary>
    public static readonly IReadOnlySet<string> DrasticTypes = BlastRadius.BlastRadiusGuard.DefaultTypes.ToHashSet();

    /// <param name="draft">The policy to replay.</param>
    /// <param name="recorded">The tenant's decisions, one per proposal.</param>
    /// <param name="truncated">Whether the range held more proposals than <paramref name="recorded"/>.</param>
    /// <param name="deadline">The tenant's decision deadline, as the live path passes it.</param>
    /// <param name="groups">The tenant's asset groups and <paramref name="assets"/> the profiles of the assets proposed on: an
    /// asset's groups as they are now (membership is not recorded per proposal), for the rules on groups and the warnings
    /// about assets in groups marked critical.</param>
    public static SimulationView Run(DraftPolicy draft, IReadOnlyList<Decision> recorded, bool truncated, TimeSpan deadline,
        AssetGroups? groups = null, IReadOnlyDictionary<string, AssetProfile>? assets = null)
    {
        var byType = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var byRule = new Dictionary<string, RuleCountView>(StringComparer.Ordinal);
        var differences = new List<DifferenceView>();
        var waits = new List<double>();
        var warnings = new Dictionary<(string Type, string AssetId), int>();
        var membership = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        IReadOnlySet<string> GroupsOf(string assetId) => membership.TryGetValue(assetId, out var known)
            ? known
            : membership[assetId] = groups?.MembershipOf(assets?.GetValueOrDefault(assetId)) ?? new HashSet<string>();
        int accepted = 0, waiting = 0, closed = 0, held = 0;
        // The draft's guard, counting what the replay accepts, as the live path's guard stream does.
        var guard = draft.Guard;

        foreach (var decision in recorded.OrderBy(d => d.ProposedAt).ThenBy(d => d.Id))
        {
            var actual = Actual(decision);
            // Kept simple: a response declined because its incident closed counts as closed when it was proposed.
            var incidentClosed = decision is { Status: DecisionStatus.Declined, Reason: Messages.RejectionReason.IncidentClosed };
            var events = Decisions.Decide(new Propose(ProposalOf(decision), draft.Setting, draft.Rules, incidentClosed, deadline, decision.ProposedAt,
                GroupsOf(decision.AssetId), guard), null);
            var type = decision.Parameters.Type;
            guard = BlastRadiusGuard.Decide(new FollowDecision(draft.TenantId, type, events), guard).Aggregate((BlastRadiusGuard?)guard, BlastRadiusGuard.Evolve)!;
            if (events.OfType<AutoAcceptanceHeld>().Any()) held++;

            if (events.OfType<ResponseRejected>().Any())
            {
                closed++;
                continue;
            }
            if (events.OfType<ResponseAccepted>().FirstOrDefault()?.AutoAccepted is not { } acceptance)
            {
                waiting++;
                if (actual == Outcome.AutoAccepted) differences.Add(Difference(decision, actual, Outcome.WaitingForPerson, null));
                continue;
            }

            accepted++;
            byType[type] = byType.GetValueOrDefault(type) + 1;
            byRule[acceptance.Rule] = byRule.TryGetValue(acceptance.Rule, out var counted)
                ? counted with { Count = counted.Count + 1 }
                : new RuleCountView(acceptance.Rule, acceptance.RuleNumber, acceptance.RuleName, 1);
            if (actual == Outcome.AutoAccepted) continue;

            differences.Add(Difference(decision, actual, Outcome.AutoAccepted, new AcceptanceView(acceptance.Rule, acceptance.RuleNumber, acceptance.RuleName)));
            if (actual == Outcome.AcceptedByPerson && decision.DecidedAt is { } decidedAt)
                waits.Add(Math.Max(0, (decidedAt - decision.ProposedAt).TotalSeconds));
            if (DrasticTypes.Contains(type) || Critical(groups, GroupsOf(decision.AssetId)).Any())
                warnings[(type, decision.AssetId)] = warnings.GetValueOrDefault((type, decision.AssetId)) + 1;
        }

        return new SimulationView(
            draft.TenantId,
            recorded.Count,
            truncated,
            accepted,
            byType,
            // The rules in their order, then the mode's own acceptances.
            byRule.Values.OrderBy(r => r.RuleNumber ?? int.MaxValue).ThenBy(r => r.Rule, StringComparer.Ordinal).ToList(),
            waiting,
            closed,
            differences.Take(MaxListed).ToList(),
            differences.Count,
            new DecisionWaitSavedView(waits.Count, waits.Sum(), Median(waits)),
            warnings.OrderByDescending(w => w.Value).ThenBy(w => w.Key.Type, StringComparer.Ordinal).ThenBy(w => w.Key.AssetId, StringComparer.Ordinal)
                .Take(MaxListed).Select(w => Warning(w.Key.Type, w.Key.AssetId, w.Value, Critical(groups, GroupsOf(w.Key.AssetId)).ToList())).ToList(),
            warnings.Count)
        {
            HeldByGuard = held,
        };
    }

    /// <summary>The proposal as the live path received it, rebuilt from its decision.</summary>
    public static Messages.ResponseProposed ProposalOf(Decision d) =>
        new(d.Id, d.TenantId, d.IncidentId, d.AssetId, d.Parameters, d.Description, d.ProposedAt, d.ProposedBy, d.ProposedById, d.Priority,
            d.MitreTechniques);

    /// <summary>What actually became of a proposal, as an <see cref="Outcome"/> name.</summary>
    public static string Actual(Decision d) => d.Status switch
    {
        DecisionStatus.Confirmed => d.AutoAccepted is null ? Outcome.AcceptedByPerson : Outcome.AutoAccepted,
        DecisionStatus.Declined => d.Reason == Messages.RejectionReason.Declined ? Outcome.DeclinedByPerson : Outcome.DeclinedAutomatically,
        _ => Outcome.Waiting,
    };

    /// <summary>The median by nearest rank (the lower middle of an even count): a wait that actually occurred.</summary>
    private static double? Median(List<double> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return values[(values.Count - 1) / 2];
    }

    private static DifferenceView Difference(Decision d, string actual, string simulated, AcceptanceView? rule) =>
        new(d.Id.ToString(), d.IncidentId.ToString(), d.Parameters.Type, d.AssetId, d.ProposedAt.ToUnixTimeMilliseconds(), actual, simulated, rule);

    /// <summary>The names of the groups marked critical among <paramref name="memberOf"/>.</summary>
    private static IEnumerable<string> Critical(AssetGroups? groups, IReadOnlySet<string> memberOf) =>
        groups?.Groups.Where(g => g.Critical && memberOf.Contains(g.GroupId)).Select(g => g.Name) ?? [];

    private static WarningView Warning(string type, string assetId, int count, IReadOnlyList<string> criticalGroups) =>
        new(type, assetId, count, string.Create(CultureInfo.InvariantCulture,
            $"would have auto-accepted {type} on asset {assetId}{(criticalGroups.Count > 0 ? $", in critical group {string.Join(", ", criticalGroups.Select(g => $"'{g}'"))}," : "")} ({count} {(count == 1 ? "time" : "times")})"))
        {
            CriticalGroups = criticalGroups.Count > 0 ? criticalGroups : [],
        };
}
