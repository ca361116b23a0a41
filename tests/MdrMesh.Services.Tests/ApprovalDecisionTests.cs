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
        AutoAcceptSetting.Initial.Decide(new SetAutoAccept(mode, tenants, null, Now, "admin", "admin-id"))
            .Aggregate(AutoAcceptSetting.Initial, (s, e) => s.Evolve(e));

    private static Decision Pending() =>
        Decision.Create((ResponseProposed)Decisions.Propose(Proposal(), AutoAcceptSetting.Initial, null, false, Week, Now)[0]);

    [Fact]
    public void With_auto_accept_disabled_a_proposal_waits_until_its_deadline()
    {
        var events = Decisions.Propose(Proposal(), AutoAcceptSetting.Initial, null, incidentClosed: false, Week, Now);

        var requested = Assert.IsType<ResponseProposed>(Assert.Single(events));
        Assert.Equal(Now + Week, requested.Deadline);
    }

    [Fact]
    public void All_tenants_accepts_every_tenant_and_records_the_setting_version_and_rule()
    {
        var events = Decisions.Propose(Proposal("created-later"), Setting("ALL_TENANTS"), null, false, Week, Now);

        var confirmed = Assert.IsType<ResponseAccepted>(events[1]);
        Assert.Equal(new Messages.AutoAcceptance(1, "ALL_TENANTS"), confirmed.AutoAccepted);
        Assert.Equal(Decisions.AutoAcceptActor, confirmed.By);
        Assert.IsType<ExecutionRequested>(events[2]);
    }

    [Fact]
    public void Selected_tenants_accepts_only_the_selected_ones()
    {
        var setting = Setting("SELECTED_TENANTS", "t1");

        Assert.Equal(new Messages.AutoAcceptance(1, "TENANT:t1"), setting.Allows("t1"));
        Assert.Null(setting.Allows("t2"));
        Assert.Single(Decisions.Propose(Proposal("t2"), setting, null, false, Week, Now));
    }

    [Fact]
    public void A_proposal_on_a_closed_incident_is_declined_even_when_auto_accept_is_on()
    {
        var events = Decisions.Propose(Proposal(), Setting("ALL_TENANTS"), null, incidentClosed: true, Week, Now);

        Assert.Equal(Messages.RejectionReason.IncidentClosed, Assert.IsType<ResponseRejected>(events[1]).Reason);
        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void A_person_decides_once_and_a_second_decision_is_refused()
    {
        var decision = Pending();
        var declined = Decisions.ByPerson(decision, DecisionStatus.Declined, "no", Now, "alice", "alice-id");
        var after = decision.Apply((ResponseRejected)declined[0]);

        Assert.Equal(Messages.RejectionReason.Declined, ((ResponseRejected)declined[0]).Reason);
        var conflict = Assert.Throws<AlreadyDecided>(() => Decisions.ByPerson(after, DecisionStatus.Confirmed, "yes", Now, "bob", "bob-id"));
        Assert.Contains("Declined, by alice", conflict.Message);
    }

    [Fact]
    public void Confirming_asks_for_execution_with_the_proposed_parameters()
    {
        var decision = Pending();

        var events = Decisions.ByPerson(decision, DecisionStatus.Confirmed, "go", Now, "alice", "alice-id");

        Assert.Equal("alice", Assert.IsType<ResponseAccepted>(events[0]).By);
        Assert.Equal(decision.Parameters, Assert.IsType<ExecutionRequested>(events[1]).Parameters);
    }

    [Fact]
    public void The_deadline_declines_only_what_still_waits_and_only_once_it_passed()
    {
        var decision = Pending();

        Assert.Empty(Decisions.Expire(decision, Now + Week - TimeSpan.FromSeconds(1)));
        var expired = Assert.IsType<ResponseRejected>(Assert.Single(Decisions.Expire(decision, Now + Week)));
        Assert.Equal(Messages.RejectionReason.DeadlinePassed, expired.Reason);
        Assert.Contains("deadline", expired.Comment);
        Assert.Empty(Decisions.Expire(decision.Apply(expired), Now + Week + Week));
    }

    [Fact]
    public void Closing_the_incident_leaves_decided_responses_alone()
    {
        var decision = Pending();
        var confirmed = decision.Apply((ResponseAccepted)Decisions.ByPerson(decision, DecisionStatus.Confirmed, "go", Now, "alice", "alice-id")[0]);

        Assert.Single(Decisions.IncidentClosed(decision, Now));
        Assert.Empty(Decisions.IncidentClosed(confirmed, Now));
    }

    [Fact]
    public void A_decision_records_the_deciders_id_beside_the_name_and_the_system_has_none()
    {
        var decision = Pending();

        var confirmed = Assert.IsType<ResponseAccepted>(Decisions.ByPerson(decision, DecisionStatus.Confirmed, "go", Now, "alice", "alice-id")[0]);
        var declined = Assert.IsType<ResponseRejected>(Decisions.ByPerson(decision, DecisionStatus.Declined, "no", Now, "alice", "alice-id")[0]);
        var auto = Assert.IsType<ResponseAccepted>(Decisions.Propose(Proposal(), Setting("ALL_TENANTS"), null, false, Week, Now)[1]);

        Assert.Equal(("alice", "alice-id"), (confirmed.By, confirmed.ById));
        Assert.Equal("alice-id", declined.ById);
        Assert.Equal("alice-id", decision.Apply(confirmed).DecidedById);
        Assert.Null(auto.ById);
        Assert.Null(Assert.IsType<ResponseRejected>(Assert.Single(Decisions.Expire(decision, Now + Week))).ById);
        Assert.Null(Assert.IsType<ResponseRejected>(Assert.Single(Decisions.IncidentClosed(decision, Now))).ById);
    }

    [Fact]
    public void With_separation_of_duties_the_proposing_connection_may_not_decide_but_another_may()
    {
        var decision = Pending();
        Assert.Equal("soc-id", decision.ProposedById);

        Assert.Throws<SameDecider>(() => Decisions.ByPerson(decision, DecisionStatus.Confirmed, "mine", Now, "soc", "soc-id", separateDecider: true));
        Assert.Throws<SameDecider>(() => Decisions.ByPerson(decision, DecisionStatus.Declined, "mine", Now, "renamed", "soc-id", separateDecider: true));
        Assert.NotEmpty(Decisions.ByPerson(decision, DecisionStatus.Confirmed, "ok", Now, "soc", "other-id", separateDecider: true));
    }

    [Fact]
    public void Without_separation_of_duties_the_proposing_connection_may_decide()
    {
        Assert.NotEmpty(Decisions.ByPerson(Pending(), DecisionStatus.Confirmed, "mine", Now, "soc", "soc-id"));
    }
}
