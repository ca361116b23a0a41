using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Responses;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Services.Tests;

/// <summary>The blast-radius guard's decisions, as pure functions: what a proposal's decision stream and the tenant's guard stream get.</summary>
public class BlastRadiusGuardTests
{
    private const string Tenant = "t1";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);
    private static readonly ResponseParameters Terminate = new TerminateProcessParameters(Pid: 4242);

    /// <summary>Auto-accept on for every tenant, as an every-tenant connection set it.</summary>
    private static readonly AutoAcceptSetting ModeOn = AutoAcceptSetting.Decide(
            new SetAutoAccept(AutoAcceptSetting.AllTenants, [], null, Now.AddDays(-1), "admin", "admin-id"), AutoAcceptSetting.Initial)
        .Aggregate(AutoAcceptSetting.Initial, AutoAcceptSetting.Evolve);

    private static DeciderSpec<Decision, IDecisionCommand> Response() => new(Decisions.Decide, Decision.Evolve);

    private static DeciderSpec<BlastRadiusGuard, IGuardCommand> Guard() => new(BlastRadiusGuard.Decide, BlastRadiusGuard.Evolve);

    /// <summary>The tenant's guard after these events on its stream.</summary>
    private static BlastRadiusGuard GuardAfter(params object[] events) =>
        events.Aggregate((BlastRadiusGuard?)null, BlastRadiusGuard.Evolve) ?? BlastRadiusGuard.Initial(Tenant);

    private static BlastRadiusGuardSet LimitSet(int limit) => new(Tenant, BlastRadiusGuard.DefaultTypes, limit, TenMinutes, BlastRadiusGuard.DefaultTypes,
        BlastRadiusGuard.DefaultLimit, BlastRadiusGuard.DefaultWindow, Now.AddHours(-1), "admin", "admin-id");

    private static AutoAcceptanceCounted Counted(DateTimeOffset at) => new(Tenant, Guid.NewGuid(), ResponseType.TerminateProcess, at);

    private static Messages.ResponseProposed Proposal(ResponseParameters? parameters = null) =>
        new(Guid.NewGuid(), Tenant, Guid.NewGuid(), "ws-1", parameters ?? Terminate, "stop it", Now, "soc", "soc-id");

    private static Propose Proposing(Messages.ResponseProposed proposal, BlastRadiusGuard guard, AutoAcceptSetting? setting = null,
        AutoAcceptRules? rules = null) => new(proposal, setting ?? ModeOn, rules, false, Week, Now, Guard: guard);

    private static ResponseProposed Requested(Messages.ResponseProposed p) =>
        new(p.ResponseId, p.TenantId, p.IncidentId, p.AssetId, p.Parameters, p.Description, p.At, p.By, Now + Week, p.ById);

    private static AutoAcceptanceHeld Held(Messages.ResponseProposed p, int limit) =>
        new(p.ResponseId, p.IncidentId, $"blast-radius guard, {limit} automatic drastic acceptances within 10 minutes", limit, TenMinutes, Now);

    private static DecisionAwaited Awaited(Messages.ResponseProposed p) =>
        new(p.ResponseId, p.IncidentId, p.AssetId, p.Parameters.Type, Now + Week, Now);

    private static FollowDecision Following(Messages.ResponseProposed p, IReadOnlyList<object> decided) => new(Tenant, p.Parameters.Type, decided);

    [Fact]
    public void The_limit_th_automatic_drastic_acceptance_is_still_accepted_and_counted_and_the_next_is_held_and_trips_the_guard()
    {
        var (first, second) = (Now.AddMinutes(-5), Now.AddMinutes(-1));
        var beforeLimit = GuardAfter(LimitSet(3), Counted(first), Counted(second));
        var third = Proposal();
        var accepted = Response().Given().When(Proposing(third, beforeLimit)).Then(events =>
            Assert.NotNull(Assert.IsType<ResponseAccepted>(events[1]).AutoAccepted));
        var counted = Guard().Given(LimitSet(3), Counted(first), Counted(second)).When(Following(third, accepted))
            .Then(new AutoAcceptanceCounted(Tenant, third.ResponseId, ResponseType.TerminateProcess, Now));

        var atLimit = GuardAfter([LimitSet(3), Counted(first), Counted(second), .. counted]);
        Assert.Equal(3, atLimit.CountAt(Now));
        var fourth = Proposal();
        var held = Response().Given().When(Proposing(fourth, atLimit)).Then(Requested(fourth), Held(fourth, 3), Awaited(fourth));
        var tripped = Guard().Given([LimitSet(3), Counted(first), Counted(second), .. counted]).When(Following(fourth, held))
            .Then(new GuardTripped(Tenant, fourth.ResponseId, 3, TenMinutes, Now));

        // Held again while the trip stands, but the guard trips once.
        var tripping = GuardAfter([LimitSet(3), Counted(first), Counted(second), .. counted, .. tripped]);
        Assert.True(tripping.IsTrippedAt(Now));
        var fifth = Proposal();
        var heldAgain = Response().Given().When(Proposing(fifth, tripping)).Then(Requested(fifth), Held(fifth, 3), Awaited(fifth));
        Guard().Given([LimitSet(3), Counted(first), Counted(second), .. counted, .. tripped]).When(Following(fifth, heldAgain)).Then();
    }

    [Fact]
    public void An_acceptance_exactly_a_window_old_no_longer_counts_and_one_a_tick_younger_does()
    {
        var proposal = Proposal();

        Response().Given().When(Proposing(proposal, GuardAfter(LimitSet(1), Counted(Now - TenMinutes))))
            .Then(events => Assert.IsType<ResponseAccepted>(events[1]));
        Response().Given().When(Proposing(proposal, GuardAfter(LimitSet(1), Counted(Now - TenMinutes + TimeSpan.FromTicks(1)))))
            .Then(Requested(proposal), Held(proposal, 1), Awaited(proposal));
    }

    [Fact]
    public void A_reset_starts_the_count_again_from_its_time_and_ends_the_trip()
    {
        var trip = new object[] { LimitSet(2), Counted(Now.AddMinutes(-3)), Counted(Now.AddMinutes(-2)), new GuardTripped(Tenant, Guid.NewGuid(), 2, TenMinutes, Now.AddMinutes(-1)) };
        var reset = Guard().Given(trip).When(new ResetGuard(Tenant, Now.AddSeconds(-10), "alice", "alice-id"))
            .Then(new BlastRadiusGuardReset(Tenant, 2, Now.AddSeconds(-10), "alice", "alice-id"));

        var afterReset = GuardAfter([.. trip, .. reset]);
        Assert.Equal((0, false, "alice"), (afterReset.CountAt(Now), afterReset.IsTrippedAt(Now), afterReset.ResetBy));
        var proposal = Proposal();
        var accepted = Response().Given().When(Proposing(proposal, afterReset)).Then(events => Assert.IsType<ResponseAccepted>(events[1]));
        Guard().Given([.. trip, .. reset]).When(Following(proposal, accepted)).Then(events => Assert.IsType<AutoAcceptanceCounted>(Assert.Single(events)));
    }

    [Fact]
    public void Non_drastic_types_are_never_held_nor_counted_and_what_waits_for_a_person_anyway_never_touches_the_guard()
    {
        var full = new object[] { LimitSet(1), Counted(Now.AddMinutes(-1)) };
        var lift = Proposal(new DisableIsolationParameters());
        var accepted = Response().Given().When(Proposing(lift, GuardAfter(full))).Then(events => Assert.IsType<ResponseAccepted>(events[1]));
        Guard().Given(full).When(Following(lift, accepted)).Then();

        var waiting = Proposal();
        var proposed = Response().Given().When(Proposing(waiting, GuardAfter(full), AutoAcceptSetting.Initial)).Then(Requested(waiting), Awaited(waiting));
        Guard().Given(full).When(Following(waiting, proposed)).Then();
    }

    [Fact]
    public void An_acceptance_by_a_rule_counts_and_is_held_as_one_by_the_mode()
    {
        var rules = AutoAcceptRules.Create(new AutoAcceptRulesSet(Tenant, 4, [new AutoAcceptRule("kill miners", [ResponseType.TerminateProcess], [], RuleAction.Accept)],
            [], Now.AddDays(-1), "admin", "admin-id"));
        var proposal = Proposal();

        Response().Given().When(Proposing(proposal, GuardAfter(LimitSet(1), Counted(Now.AddMinutes(-1))), AutoAcceptSetting.Initial, rules))
            .Then(Requested(proposal), Held(proposal, 1), Awaited(proposal));
        var accepted = Response().Given().When(Proposing(proposal, GuardAfter(LimitSet(1)), AutoAcceptSetting.Initial, rules))
            .Then(events => Assert.Equal("RULE:1", Assert.IsType<ResponseAccepted>(events[1]).AutoAccepted!.Rule));
        Guard().Given(LimitSet(1)).When(Following(proposal, accepted)).Then(events => Assert.IsType<AutoAcceptanceCounted>(Assert.Single(events)));
    }

    [Fact]
    public void A_person_decides_a_held_response_as_any_other_whatever_the_guard()
    {
        var proposal = Proposal();
        var held = Response().Given().When(Proposing(proposal, GuardAfter(LimitSet(1), Counted(Now.AddMinutes(-1))))).Then(Requested(proposal), Held(proposal, 1), Awaited(proposal));

        Response().Given([.. held]).When(new DecideByPerson(DecisionStatus.Confirmed, "checked", Now, "alice", "alice-id")).Then(
            new ResponseAccepted(proposal.ResponseId, proposal.IncidentId, "checked", null, Now, "alice", "alice-id",
                new ExecutionRequested(proposal.ResponseId, proposal.IncidentId, "ws-1", Terminate, Now, "alice")));
        Assert.Equal(DecisionStatus.New, held.Aggregate((Decision?)null, Decision.Evolve)!.Status);
    }

    [Fact]
    public void A_tenant_never_set_has_the_defaults_and_the_same_setting_again_is_no_change()
    {
        var never = BlastRadiusGuard.Initial(Tenant);
        Assert.Equal((20, TenMinutes, 4), (never.Limit, never.Window, never.Types.Count));
        Assert.Equal("blast-radius guard, 20 automatic drastic acceptances within 10 minutes", never.Reason);

        IReadOnlyList<string> isolations = [ResponseType.Isolate];
        var set = Guard().Given().When(new SetGuard(Tenant, isolations, 5, TimeSpan.FromHours(1), Now, "alice", "alice-id"))
            .Then(new BlastRadiusGuardSet(Tenant, isolations, 5, TimeSpan.FromHours(1), BlastRadiusGuard.DefaultTypes, 20, TenMinutes, Now, "alice",
                "alice-id"));
        Guard().Given([.. set]).When(new SetGuard(Tenant, [ResponseType.Isolate], 5, TimeSpan.FromHours(1), Now.AddMinutes(1), "bob", "bob-id")).Then();
        Assert.Equal("blast-radius guard, 5 automatic drastic acceptances within 1 hour", GuardAfter([.. set]).Reason);
        Assert.Equal(["90 seconds", "1 minute", "2 days"], new[] { 90, 60, 172_800 }.Select(s => BlastRadiusGuard.Describe(TimeSpan.FromSeconds(s))));
    }
}
