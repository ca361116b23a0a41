using MdrMesh.ServiceDefaults;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Responses;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Services.Tests;

/// <summary>The approvals service's decisions, as pure functions: no database, no broker.</summary>
public class ApprovalDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private static Messages.ResponseProposed Proposal(string tenant = "t1") =>
        new(Guid.NewGuid(), tenant, Guid.NewGuid(), "ws-1", new DisableIsolationParameters(), "lift", Now, "soc", "soc-id");

    /// <summary>The setting after an every-tenant connection set it.</summary>
    private static AutoAcceptSetting Setting(string mode, params string[] tenants) =>
        AutoAcceptSetting.Decide(new SetAutoAccept(mode, tenants, null, Now, "admin", "admin-id"), AutoAcceptSetting.Initial)
            .Aggregate(AutoAcceptSetting.Initial, AutoAcceptSetting.Evolve);

    /// <summary>One response's decision stream, as its decider sees it.</summary>
    private static DeciderSpec<Decision, IDecisionCommand> Response() => new(Decisions.Decide, Decision.Evolve);

    private static Propose Proposing(Messages.ResponseProposed proposal, AutoAcceptSetting setting, bool incidentClosed = false) =>
        new(proposal, setting, null, incidentClosed, Week, Now);

    /// <summary>A proposal that waits for a person (auto-accept off).</summary>
    private static ResponseProposed Proposed() =>
        (ResponseProposed)Decisions.Decide(Proposing(Proposal(), AutoAcceptSetting.Initial), null)[0];

    private static DecideByPerson By(string name, DecisionStatus status, bool separateDecider = false, string? id = null) =>
        new(status, status == DecisionStatus.Confirmed ? "go" : "no", Now, name, id ?? $"{name}-id", separateDecider);

    [Fact]
    public void With_auto_accept_disabled_a_proposal_waits_until_its_deadline()
    {
        Response().Given().When(Proposing(Proposal(), AutoAcceptSetting.Initial)).Then(events =>
            Assert.Equal(Now + Week, Waiting.For(events).Deadline));
    }

    [Fact]
    public void A_proposal_seen_before_decides_nothing_again()
    {
        var proposal = Proposal();
        var first = Decisions.Decide(Proposing(proposal, Setting("ALL_TENANTS")), null);

        Response().Given([.. first]).When(Proposing(proposal, Setting("ALL_TENANTS"))).Then();
    }

    [Fact]
    public void All_tenants_accepts_every_tenant_and_records_the_setting_version_and_rule()
    {
        Response().Given().When(Proposing(Proposal("created-later"), Setting("ALL_TENANTS"))).Then(events =>
        {
            var confirmed = Assert.IsType<ResponseAccepted>(events[1]);
            Assert.Equal(new Messages.AutoAcceptance(1, "ALL_TENANTS"), confirmed.AutoAccepted);
            Assert.Equal(Decisions.AutoAcceptActor, confirmed.By);
            Assert.NotNull(confirmed.Execution);
            Assert.Equal(2, events.Count);
        });
    }

    [Fact]
    public void A_proposal_accepted_at_once_is_stored_as_one_event_that_rebuilds_the_decision_and_announces_the_acceptance()
    {
        var decided = Decisions.Decide(Proposing(Proposal(), Setting("ALL_TENANTS")), null);
        var accepted = (ResponseAccepted)decided[1];

        var stored = Assert.Single(Decision.Stored(decided));
        Assert.Equal(decided[0], ((ResponseProposed)stored) with { Accepted = null });
        Assert.Equal(decided.Aggregate((Decision?)null, Decision.Evolve), Decision.Evolve(null, stored));
        Assert.Equal(DecisionStatus.Confirmed, Decision.Evolve(null, stored)!.Status);
        var recorded = new JasperFx.Events.Event<ResponseProposed>((ResponseProposed)stored) { Id = Guid.NewGuid(), TenantId = "t1" };
        Assert.Equal([typeof(Messages.ResponseAccepted), typeof(Messages.ExecuteResponse)],
            new MdrMesh.Approvals.ApprovalMessages().Announce(recorded).Select(a => a.Message.GetType()));
        Assert.Equal(accepted.AutoAccepted, ((Messages.ResponseAccepted)new MdrMesh.Approvals.ApprovalMessages().Announce(recorded).First().Message).AutoAccepted);

        // A proposal that waits, or one declined at once, is stored as decided.
        var waiting = Decisions.Decide(Proposing(Proposal(), AutoAcceptSetting.Initial), null);
        Assert.Equal(waiting, Decision.Stored(waiting));
        var declined = Decisions.Decide(Proposing(Proposal(), Setting("ALL_TENANTS"), incidentClosed: true), null);
        Assert.Equal(declined, Decision.Stored(declined));
    }

    [Fact]
    public void Selected_tenants_accepts_only_the_selected_ones()
    {
        var setting = Setting("SELECTED_TENANTS", "t1");

        Assert.Equal(new Messages.AutoAcceptance(1, "TENANT:t1"), setting.Allows("t1"));
        Assert.Null(setting.Allows("t2"));
        Response().Given().When(Proposing(Proposal("t2"), setting)).Then(events => Waiting.For(events));
    }

    [Fact]
    public void A_proposal_on_a_closed_incident_is_declined_even_when_auto_accept_is_on()
    {
        Response().Given().When(Proposing(Proposal(), Setting("ALL_TENANTS"), incidentClosed: true)).Then(events =>
        {
            Assert.Equal(Messages.RejectionReason.IncidentClosed, Assert.IsType<ResponseRejected>(events[1]).Reason);
            Assert.Equal(2, events.Count);
        });
    }

    [Fact]
    public void A_person_decides_once_and_a_second_decision_is_refused()
    {
        var proposed = Proposed();
        var declined = Response().Given(proposed).When(By("alice", DecisionStatus.Declined)).Then(events =>
            Assert.Equal(Messages.RejectionReason.Declined, Assert.IsType<ResponseRejected>(Assert.Single(events)).Reason));

        var conflict = Response().Given(proposed, declined[0]).When(By("bob", DecisionStatus.Confirmed)).ThenRefuses<AlreadyDecided>();
        Assert.Contains("Declined, by alice", conflict.Message);
    }

    [Fact]
    public void An_acceptance_announces_the_decision_then_the_execution_under_ids_a_repeat_announces_again()
    {
        var proposed = Proposed();
        var accepted = Decisions.Decide(new DecideByPerson(DecisionStatus.Confirmed, "go", Now, "alice", "alice-id"), Decision.Create(proposed)).Single();
        var recorded = new JasperFx.Events.Event<ResponseAccepted>((ResponseAccepted)accepted) { Id = Guid.NewGuid(), TenantId = "t1" };

        var announced = new MdrMesh.Approvals.ApprovalMessages().Announce(recorded).ToList();

        Assert.Collection(announced,
            a => Assert.Equal((typeof(Messages.ResponseAccepted), recorded.Id), (a.Message.GetType(), a.Id)),
            x => Assert.Equal(new Messages.ExecuteResponse(proposed.ResponseId, "t1", proposed.IncidentId, proposed.AssetId, proposed.Parameters, Now, "alice"),
                x.Message));
        Assert.NotEqual(recorded.Id, announced[1].Id);
        Assert.Equal(announced.Select(a => a.Id), new MdrMesh.Approvals.ApprovalMessages().Announce(recorded).Select(a => a.Id));
        // An acceptance recorded before, followed by its own execution request, still announces both.
        var before = new JasperFx.Events.Event<ExecutionRequested>(((ResponseAccepted)accepted).Execution!) { Id = Guid.NewGuid(), TenantId = "t1" };
        Assert.IsType<Messages.ExecuteResponse>(Assert.Single(new MdrMesh.Approvals.ApprovalMessages().Announce(before)).Message);
    }

    [Fact]
    public void Confirming_asks_for_execution_with_the_proposed_parameters()
    {
        var proposed = Proposed();

        Response().Given(proposed).When(By("alice", DecisionStatus.Confirmed)).Then(
            new ResponseAccepted(proposed.ResponseId, proposed.IncidentId, "go", null, Now, "alice", "alice-id",
                new ExecutionRequested(proposed.ResponseId, proposed.IncidentId, proposed.AssetId, proposed.Parameters, Now, "alice")));
    }

    [Fact]
    public void The_deadline_declines_only_what_still_waits_and_only_once_it_passed()
    {
        var proposed = Proposed();

        Response().Given(proposed).When(new Expire(Now + Week - TimeSpan.FromSeconds(1))).Then();
        var expired = Response().Given(proposed).When(new Expire(Now + Week)).Then(events =>
        {
            var rejected = Assert.IsType<ResponseRejected>(Assert.Single(events));
            Assert.Equal(Messages.RejectionReason.DeadlinePassed, rejected.Reason);
            Assert.Contains("deadline", rejected.Comment);
        });
        Response().Given(proposed, expired[0]).When(new Expire(Now + Week + Week)).Then();
    }

    [Fact]
    public void Closing_the_incident_declines_what_waits_and_leaves_decided_responses_alone()
    {
        var proposed = Proposed();
        var confirmed = Response().Given(proposed).When(By("alice", DecisionStatus.Confirmed)).Then(events => Assert.IsType<ResponseAccepted>(Assert.Single(events)));

        Response().Given(proposed).When(new DeclineForClosedIncident(Now)).Then(events =>
            Assert.Equal(Messages.RejectionReason.IncidentClosed, Assert.IsType<ResponseRejected>(Assert.Single(events)).Reason));
        Response().Given([proposed, .. confirmed]).When(new DeclineForClosedIncident(Now)).Then();
    }

    [Fact]
    public void A_decision_records_the_deciders_id_beside_the_name_and_the_system_has_none()
    {
        var proposed = Proposed();

        var confirmed = Assert.IsType<ResponseAccepted>(Response().Given(proposed).When(By("alice", DecisionStatus.Confirmed)).Then(_ => { })[0]);
        var declined = Assert.IsType<ResponseRejected>(Response().Given(proposed).When(By("alice", DecisionStatus.Declined)).Then(_ => { })[0]);
        var auto = Assert.IsType<ResponseAccepted>(Response().Given().When(Proposing(Proposal(), Setting("ALL_TENANTS"))).Then(_ => { })[1]);

        Assert.Equal(("alice", "alice-id"), (confirmed.By, confirmed.ById));
        Assert.Equal("alice-id", declined.ById);
        Assert.Equal("alice-id", Decision.Evolve(Decision.Evolve(null, proposed), confirmed)!.DecidedById);
        Assert.Null(auto.ById);
        Assert.Null(Assert.IsType<ResponseRejected>(Assert.Single(Response().Given(proposed).When(new Expire(Now + Week)).Then(_ => { }))).ById);
        Assert.Null(Assert.IsType<ResponseRejected>(Assert.Single(Response().Given(proposed).When(new DeclineForClosedIncident(Now)).Then(_ => { }))).ById);
    }

    [Fact]
    public void With_separation_of_duties_the_proposing_connection_may_not_decide_but_another_may()
    {
        var proposed = Proposed();
        Assert.Equal("soc-id", proposed.ProposedById);

        Response().Given(proposed).When(By("soc", DecisionStatus.Confirmed, separateDecider: true)).ThenRefuses<SameDecider>();
        Response().Given(proposed).When(By("renamed", DecisionStatus.Declined, separateDecider: true, id: "soc-id")).ThenRefuses<SameDecider>();
        Response().Given(proposed).When(By("soc", DecisionStatus.Confirmed, separateDecider: true, id: "other-id")).Then(Assert.NotEmpty);
    }

    [Fact]
    public void Without_separation_of_duties_the_proposing_connection_may_decide()
    {
        Response().Given(Proposed()).When(By("soc", DecisionStatus.Confirmed)).Then(Assert.NotEmpty);
    }
}
