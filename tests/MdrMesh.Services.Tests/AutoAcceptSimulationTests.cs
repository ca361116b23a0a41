using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Approvals.Simulating;
using MdrMesh.Contracts.Responses;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Services.Tests;

/// <summary>A draft policy replayed over recorded decisions (<see cref="Simulation.Run"/>): a pure function, no database.</summary>
public class AutoAcceptSimulationTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private const string Tenant = "t1";

    private static readonly ResponseParameters GetFile = new GetFileParameters(@"C:\Users\alice\invoice.exe", 1);
    private static readonly ResponseParameters Isolate = new IsolateParameters();

    private enum Happened { AcceptedByPerson, DeclinedByPerson, AutoAccepted, IncidentClosed, DeadlinePassed, Waiting }

    /// <summary>
    /// One response's decision as the live path recorded it: proposed <paramref name="minute"/> minutes after the
    /// start (auto-accept off, no rules, unless it was auto-accepted), then what <paramref name="happened"/>,
    /// <paramref name="waitSeconds"/> after the proposal.
    /// </summary>
    private static Decision Recorded(ResponseParameters parameters, string asset, int minute, Happened happened, int waitSeconds = 60)
    {
        var at = Start.AddMinutes(minute);
        var proposal = new Messages.ResponseProposed(Guid.NewGuid(), Tenant, Guid.NewGuid(), asset, parameters, "why", at, "soc", "soc-id");
        var setting = happened == Happened.AutoAccepted ? Mode(AutoAcceptSetting.AllTenants) : AutoAcceptSetting.Initial;
        var events = Decisions.Decide(new Propose(proposal, setting, null, happened == Happened.IncidentClosed, Week, at), null).ToList();
        var decision = events.Aggregate((Decision?)null, Decision.Evolve)!;
        IDecisionCommand? then = happened switch
        {
            Happened.AcceptedByPerson => new DecideByPerson(DecisionStatus.Confirmed, "go", at.AddSeconds(waitSeconds), "alice", "alice-id"),
            Happened.DeclinedByPerson => new DecideByPerson(DecisionStatus.Declined, "no", at.AddSeconds(waitSeconds), "alice", "alice-id"),
            Happened.DeadlinePassed => new Expire(at + Week),
            _ => null,
        };
        return then is null ? decision : Decisions.Decide(then, decision).Aggregate((Decision?)decision, Decision.Evolve)!;
    }

    private static AutoAcceptSetting Mode(string mode) =>
        AutoAcceptSetting.Decide(new SetAutoAccept(mode, [], null, Start, "admin", "admin-id"), AutoAcceptSetting.Initial)
            .Aggregate(AutoAcceptSetting.Initial, AutoAcceptSetting.Evolve);

    private static DraftPolicy Draft(string mode, params AutoAcceptRule[] rules) => DraftPolicy.Of(Tenant, mode, rules, "UTC", Start, "admin", "admin-id");

    private static AutoAcceptRule Rule(string name, string action, string[]? types = null, string[]? assets = null) =>
        new(name, types ?? [], assets ?? [], action);

    private static SimulationView Run(DraftPolicy draft, params Decision[] recorded) => Simulation.Run(draft, recorded, false, Week);

    [Fact]
    public void Given_a_draft_of_rules_and_mode_when_simulating_then_it_counts_acceptances_by_type_and_by_rule_the_mode_last()
    {
        var draft = Draft(DraftPolicy.On,
            Rule("hold the domain controller", RuleAction.Manual, [ResponseType.Isolate], ["dc-1"]),
            Rule("file collection", RuleAction.Accept, [ResponseType.GetFile]));

        var report = Run(draft,
            Recorded(GetFile, "ws-1", 0, Happened.AcceptedByPerson),
            Recorded(GetFile, "ws-2", 1, Happened.DeclinedByPerson),
            Recorded(Isolate, "dc-1", 2, Happened.Waiting),
            Recorded(Isolate, "ws-1", 3, Happened.AcceptedByPerson));

        Assert.Equal((4, 3, 1, 0), (report.Total, report.WouldAcceptAutomatically, report.WouldWaitForPerson, report.WouldDeclineIncidentClosed));
        Assert.Equal(new Dictionary<string, int> { [ResponseType.GetFile] = 2, [ResponseType.Isolate] = 1 }, report.ByType);
        Assert.Equal([new RuleCountView("RULE:2", 2, "file collection", 2), new RuleCountView($"TENANT:{Tenant}", null, null, 1)], report.ByRule);
        Assert.False(report.Truncated);
    }

    [Fact]
    public void Given_a_draft_guard_when_simulating_then_drastic_acceptances_beyond_its_limit_wait_for_a_person()
    {
        var guard = BlastRadiusGuard.Decide(new SetGuard(Tenant, [ResponseType.Isolate], 2, TimeSpan.FromMinutes(10), Start, "admin", "admin-id"), null)
            .Aggregate((BlastRadiusGuard?)null, BlastRadiusGuard.Evolve)!;
        var draft = Draft(DraftPolicy.On) with { Guard = guard };

        var report = Run(draft,
            Recorded(Isolate, "ws-1", 0, Happened.AcceptedByPerson), Recorded(Isolate, "ws-2", 1, Happened.AcceptedByPerson),
            Recorded(Isolate, "ws-3", 2, Happened.AcceptedByPerson), Recorded(GetFile, "ws-3", 3, Happened.AcceptedByPerson),
            // Ten minutes after the first, it no longer counts: room for one more.
            Recorded(Isolate, "ws-4", 10, Happened.AcceptedByPerson));

        Assert.Equal((5, 4, 1, 1), (report.Total, report.WouldAcceptAutomatically, report.WouldWaitForPerson, report.HeldByGuard));
        Assert.Equal(3, report.ByType[ResponseType.Isolate]);
    }

    [Fact]
    public void Given_the_mode_off_and_no_rules_when_simulating_then_everything_waits_for_a_person()
    {
        var report = Run(Draft(DraftPolicy.Off),
            Recorded(GetFile, "ws-1", 0, Happened.AcceptedByPerson), Recorded(Isolate, "ws-1", 1, Happened.AutoAccepted));

        Assert.Equal((2, 0, 2), (report.Total, report.WouldAcceptAutomatically, report.WouldWaitForPerson));
        Assert.Empty(report.ByType);
        Assert.Empty(report.ByRule);
        // The one actually accepted automatically would have waited: a difference.
        var difference = Assert.Single(report.Differences);
        Assert.Equal((ResponseType.Isolate, Outcome.AutoAccepted, Outcome.WaitingForPerson, (AcceptanceView?)null),
            (difference.Type, difference.Actual, difference.Simulated, difference.SimulatedRule));
    }

    [Fact]
    public void Given_recorded_decisions_when_simulating_then_each_response_decided_otherwise_is_listed_in_proposal_order_with_actual_and_simulated()
    {
        var draft = Draft(DraftPolicy.Off, Rule("file collection", RuleAction.Accept, [ResponseType.GetFile]));
        var declined = Recorded(GetFile, "ws-2", 5, Happened.DeclinedByPerson);
        var accepted = Recorded(GetFile, "ws-1", 1, Happened.AcceptedByPerson);
        var overdue = Recorded(GetFile, "ws-1", 3, Happened.DeadlinePassed);
        var pending = Recorded(GetFile, "ws-1", 4, Happened.Waiting);
        var autoIsolation = Recorded(Isolate, "ws-1", 2, Happened.AutoAccepted);

        // Given out of order: replayed, and listed, by proposal time.
        var report = Run(draft,
            declined, accepted, overdue, pending, autoIsolation,
            Recorded(GetFile, "ws-1", 0, Happened.AutoAccepted),
            Recorded(Isolate, "ws-1", 6, Happened.DeclinedByPerson),
            Recorded(GetFile, "ws-1", 7, Happened.IncidentClosed));

        Assert.Equal(
        [
            (accepted.Id.ToString(), Outcome.AcceptedByPerson, Outcome.AutoAccepted),
            (autoIsolation.Id.ToString(), Outcome.AutoAccepted, Outcome.WaitingForPerson),
            (overdue.Id.ToString(), Outcome.DeclinedAutomatically, Outcome.AutoAccepted),
            (pending.Id.ToString(), Outcome.Waiting, Outcome.AutoAccepted),
            (declined.Id.ToString(), Outcome.DeclinedByPerson, Outcome.AutoAccepted),
        ], report.Differences.Select(d => (d.ResponseId, d.Actual, d.Simulated)));
        Assert.Equal(5, report.DifferencesTotal);
        var first = report.Differences[0];
        Assert.Equal((accepted.IncidentId.ToString(), ResponseType.GetFile, "ws-1", Start.AddMinutes(1).ToUnixTimeMilliseconds()),
            (first.IncidentId, first.Type, first.AssetId, first.ProposedAt));
        Assert.Equal(new AcceptanceView("RULE:1", 1, "file collection"), first.SimulatedRule);
        // The closed incident's response is declined again, as it was: no difference, and neither accepted nor waiting.
        Assert.Equal((8, 5, 2, 1), (report.Total, report.WouldAcceptAutomatically, report.WouldWaitForPerson, report.WouldDeclineIncidentClosed));
    }

    [Fact]
    public void Given_responses_a_person_accepted_when_the_draft_accepts_them_then_their_wait_is_saved_sum_and_median()
    {
        var draft = Draft(DraftPolicy.Off, Rule("file collection", RuleAction.Accept, [ResponseType.GetFile]));

        var report = Run(draft,
            Recorded(GetFile, "ws-1", 0, Happened.AcceptedByPerson, waitSeconds: 600),
            Recorded(GetFile, "ws-1", 1, Happened.AcceptedByPerson, waitSeconds: 60),
            Recorded(GetFile, "ws-1", 2, Happened.AcceptedByPerson, waitSeconds: 300),
            // Not saved: declined (nothing to accept sooner), left for a person by the draft, or accepted automatically already.
            Recorded(GetFile, "ws-1", 3, Happened.DeclinedByPerson, waitSeconds: 1000),
            Recorded(Isolate, "ws-1", 4, Happened.AcceptedByPerson, waitSeconds: 5000),
            Recorded(GetFile, "ws-1", 5, Happened.AutoAccepted));

        Assert.Equal(new DecisionWaitSavedView(3, 960, 300), report.DecisionWaitSaved);
        // An even count: the lower middle, a wait that actually occurred.
        Assert.Equal(new DecisionWaitSavedView(2, 660, 60), Run(draft,
            Recorded(GetFile, "ws-1", 0, Happened.AcceptedByPerson, waitSeconds: 600),
            Recorded(GetFile, "ws-1", 1, Happened.AcceptedByPerson, waitSeconds: 60)).DecisionWaitSaved);
        Assert.Equal(new DecisionWaitSavedView(0, 0, null), Run(draft).DecisionWaitSaved);
    }

    [Fact]
    public void Given_drastic_responses_a_person_decided_when_the_draft_accepts_them_then_it_warns_per_type_and_asset()
    {
        var report = Run(Draft(DraftPolicy.On, Rule("scripts need a person", RuleAction.Manual, [ResponseType.RunScript])),
            Recorded(Isolate, "dc-1", 0, Happened.AcceptedByPerson),
            Recorded(Isolate, "dc-1", 1, Happened.DeclinedByPerson),
            Recorded(Isolate, "dc-1", 2, Happened.Waiting),
            Recorded(Isolate, "ws-1", 3, Happened.DeclinedByPerson),
            // Accepted automatically already, or not drastic: no warning.
            Recorded(Isolate, "ws-2", 4, Happened.AutoAccepted),
            Recorded(GetFile, "dc-1", 5, Happened.AcceptedByPerson));

        Assert.Equal(
        [
            new WarningView(ResponseType.Isolate, "dc-1", 3, "would have auto-accepted ISOLATE on asset dc-1 (3 times)"),
            new WarningView(ResponseType.Isolate, "ws-1", 1, "would have auto-accepted ISOLATE on asset ws-1 (1 time)"),
        ], report.Warnings);
        Assert.Equal(2, report.WarningsTotal);
    }

    [Fact]
    public void Given_more_differences_than_are_listed_when_simulating_then_the_first_are_listed_and_all_counted()
    {
        var recorded = Enumerable.Range(0, Simulation.MaxListed + 5).Select(i => Recorded(GetFile, "ws-1", i, Happened.AcceptedByPerson)).ToList();

        var report = Simulation.Run(Draft(DraftPolicy.On), recorded, truncated: true, Week);

        Assert.Equal((Simulation.MaxListed, Simulation.MaxListed + 5, true), (report.Differences.Count, report.DifferencesTotal, report.Truncated));
        Assert.Equal(recorded[0].Id.ToString(), report.Differences[0].ResponseId);
    }

    [Fact]
    public void A_draft_policy_is_the_state_the_live_deciders_build_for_the_mode_and_rules()
    {
        var on = Draft(DraftPolicy.On, Rule("files", RuleAction.Accept, [ResponseType.GetFile]));
        var off = Draft(DraftPolicy.Off);

        Assert.Equal(new Messages.AutoAcceptance(1, $"TENANT:{Tenant}"), on.Setting.Allows(Tenant));
        Assert.Equal((1L, "files"), (on.Rules!.Version, on.Rules.Rules.Single().Name));
        Assert.Null(off.Setting.Allows(Tenant));
        Assert.Null(off.Rules);
    }
}
