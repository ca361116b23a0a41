using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Responses;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Services.Tests;

/// <summary>A tenant's ordered auto-accept rules, and how they decide a proposal with its mode: pure functions.</summary>
public class AutoAcceptRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private static AutoAcceptRule Rule(string name, string action, string[]? types = null, string[]? assets = null) =>
        new(name, types ?? [], assets ?? [], action);

    private static Messages.ResponseProposed Proposal(ResponseParameters parameters, string asset = "ws-1", string tenant = "t1") =>
        new(Guid.NewGuid(), tenant, Guid.NewGuid(), asset, parameters, "why", Now, "soc", "soc-id");

    private static readonly ResponseParameters GetFile = new GetFileParameters(@"C:\Users\alice\invoice.exe", 1);
    private static readonly ResponseParameters Isolate = new IsolateParameters();

    /// <summary>The tenant's rules after <paramref name="versions"/> changes, the last setting <paramref name="rules"/>.</summary>
    private static AutoAcceptRules Policy(int versions, params AutoAcceptRule[] rules)
    {
        AutoAcceptRules? current = null;
        for (var v = 1; v <= versions; v++)
        {
            var command = new ReplaceRules("t1", v == versions ? rules : [Rule($"draft {v}", RuleAction.Manual)], Now, "admin", "admin-id");
            current = AutoAcceptRules.Decide(command, current).Aggregate(current, AutoAcceptRules.Evolve);
        }
        return current!;
    }

    private static AutoAcceptSetting Mode(string mode) =>
        AutoAcceptSetting.Decide(new SetAutoAccept(mode, [], null, Now, "admin", "admin-id"), AutoAcceptSetting.Initial)
            .Aggregate(AutoAcceptSetting.Initial, AutoAcceptSetting.Evolve);

    [Fact]
    public void Given_two_matching_rules_when_deciding_then_the_first_in_order_decides()
    {
        AutoAcceptRule[] rules = [Rule("hold files on ws-1", RuleAction.Manual, [ResponseType.GetFile], ["ws-1"]), Rule("files", RuleAction.Accept, [ResponseType.GetFile])];

        Assert.Equal(new RuleMatch(1, "hold files on ws-1", RuleAction.Manual), AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.GetFile, "ws-1")));
        Assert.Equal(new RuleMatch(2, "files", RuleAction.Accept), AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.GetFile, "ws-2")));
        Assert.Equal(new RuleMatch(1, "files", RuleAction.Accept), AutoAcceptRules.FirstMatch(rules.Reverse().ToList(), new ProposalFacts(ResponseType.GetFile, "ws-1")));
    }

    [Fact]
    public void Given_a_type_matcher_when_deciding_then_only_the_listed_types_match()
    {
        AutoAcceptRule[] rules = [Rule("collection", RuleAction.Accept, [ResponseType.GetFile, ResponseType.MemoryDump])];

        Assert.NotNull(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.GetFile, "any")));
        Assert.NotNull(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.MemoryDump, "any")));
        Assert.Null(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.Isolate, "any")));
    }

    [Fact]
    public void Given_an_asset_matcher_when_deciding_then_only_the_listed_assets_match_exactly()
    {
        AutoAcceptRule[] rules = [Rule("workstations", RuleAction.Accept, assets: ["ws-1", "ws-2"])];

        Assert.NotNull(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.Isolate, "ws-2")));
        Assert.Null(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.Isolate, "dc-1")));
        Assert.Null(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.Isolate, "WS-1")));
    }

    [Fact]
    public void Given_both_matchers_when_deciding_then_the_type_and_the_asset_must_both_match()
    {
        AutoAcceptRule[] rules = [Rule("files on ws-1", RuleAction.Accept, [ResponseType.GetFile], ["ws-1"])];

        Assert.NotNull(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.GetFile, "ws-1")));
        Assert.Null(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.GetFile, "ws-2")));
        Assert.Null(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.Isolate, "ws-1")));
    }

    [Fact]
    public void Given_a_rule_without_matchers_when_deciding_then_it_matches_everything()
    {
        Assert.Equal(1, AutoAcceptRules.FirstMatch([Rule("everything else", RuleAction.Manual)], new ProposalFacts(ResponseType.RunScript, "srv-9"))?.Number);
    }

    [Fact]
    public void Given_an_accept_rule_and_mode_disabled_when_proposed_then_accepted_naming_the_policy_version_and_rule()
    {
        var rules = Policy(7, Rule("isolation", RuleAction.Manual, [ResponseType.Isolate]), Rule("triage", RuleAction.Manual, assets: ["dc-1"]),
            Rule("file collection on workstations", RuleAction.Accept, [ResponseType.GetFile]));

        var events = Decisions.Decide(new Propose(Proposal(GetFile), Mode("DISABLED"), rules, IncidentClosed: false, Week, Now), null);

        var accepted = Assert.IsType<ResponseAccepted>(events[1]);
        Assert.Equal(new Messages.AutoAcceptance(7, "RULE:3", 3, "file collection on workstations"), accepted.AutoAccepted);
        Assert.Equal(Decisions.AutoAcceptActor, accepted.By);
        Assert.Equal(GetFile, accepted.Execution?.Parameters);
    }

    [Fact]
    public void Given_a_manual_rule_and_mode_on_when_proposed_then_it_waits_for_a_person()
    {
        var rules = Policy(1, Rule("no isolation without a person", RuleAction.Manual, [ResponseType.Isolate]));

        var events = Decisions.Decide(new Propose(Proposal(Isolate), Mode("ALL_TENANTS"), rules, IncidentClosed: false, Week, Now), null);

        Waiting.For(events);
    }

    [Fact]
    public void Given_no_matching_rule_when_proposed_then_the_mode_decides_as_before()
    {
        var rules = Policy(2, Rule("files", RuleAction.Accept, [ResponseType.GetFile]));

        var on = Decisions.Decide(new Propose(Proposal(Isolate), Mode("ALL_TENANTS"), rules, IncidentClosed: false, Week, Now), null);
        var off = Decisions.Decide(new Propose(Proposal(Isolate), Mode("DISABLED"), rules, IncidentClosed: false, Week, Now), null);

        Assert.Equal(new Messages.AutoAcceptance(1, "ALL_TENANTS"), Assert.IsType<ResponseAccepted>(on[1]).AutoAccepted);
        Waiting.For(off);
    }

    [Fact]
    public void Given_an_accept_rule_and_a_closed_incident_when_proposed_then_it_is_declined()
    {
        var rules = Policy(1, Rule("everything", RuleAction.Accept));

        var events = Decisions.Decide(new Propose(Proposal(GetFile), Mode("ALL_TENANTS"), rules, IncidentClosed: true, Week, Now), null);

        Assert.Equal(2, events.Count);
        Assert.Equal(Messages.RejectionReason.IncidentClosed, Assert.IsType<ResponseRejected>(events[1]).Reason);
    }

    [Fact]
    public void Given_rules_when_set_then_each_change_is_the_next_version_with_who_when_before_and_after()
    {
        var first = Assert.IsType<AutoAcceptRulesSet>(Assert.Single(
            AutoAcceptRules.Decide(new ReplaceRules("t1", [Rule("files", RuleAction.Accept, [ResponseType.GetFile])], Now, "alice", "alice-id"), null)));
        var v1 = AutoAcceptRules.Create(first);
        var second = Assert.IsType<AutoAcceptRulesSet>(Assert.Single(
            AutoAcceptRules.Decide(new ReplaceRules("t1", [], Now.AddHours(1), "bob", "bob-id"), v1)));

        Assert.Equal((1L, "alice", 0), (first.Version, first.By, first.PreviousRules.Count));
        Assert.Equal(AutoAcceptRules.StreamIdOf("t1"), v1.Id);
        Assert.Equal((2L, "bob-id", Now.AddHours(1)), (second.Version, second.ById, second.At));
        Assert.Equal("files", Assert.Single(second.PreviousRules).Name);
        Assert.Empty(v1.Apply(second).Rules);
    }

    [Fact]
    public void Given_the_same_rules_when_set_again_then_there_is_no_new_version()
    {
        var v1 = Policy(1, Rule("files", RuleAction.Accept, [ResponseType.GetFile], ["ws-1"]));

        Assert.Empty(AutoAcceptRules.Decide(new ReplaceRules("t1", [Rule("files", RuleAction.Accept, [ResponseType.GetFile], ["ws-1"])], Now, "bob", "bob-id"), v1));
        Assert.Empty(AutoAcceptRules.Decide(new ReplaceRules("t1", [], Now, "bob", "bob-id"), null));
    }

    [Fact]
    public void Given_each_tenant_when_deriving_stream_ids_then_rules_and_switch_never_share_one()
    {
        Assert.NotEqual(AutoAcceptRules.StreamIdOf("t1"), AutoAcceptRules.StreamIdOf("t2"));
        Assert.NotEqual(AutoAcceptRules.StreamIdOf("t1"), AutoAcceptSwitch.StreamIdOf("t1"));
    }

    [Fact]
    public void Given_an_acceptance_by_rule_when_recorded_then_history_names_the_rule_and_policy_version()
    {
        var incidentId = Guid.NewGuid();
        var accepted = new Messages.ResponseAccepted(Guid.NewGuid(), "t1", incidentId, Now, "auto-accept", null,
            new Messages.AutoAcceptance(7, "RULE:3", 3, "file collection on workstations"));
        var incident = new MdrMesh.Incidents.IIncidentEvent[]
        {
            new MdrMesh.Incidents.OpeningIncident.IncidentOpened(incidentId, "t1", 1, "x", null, "LOW", ["ws-1"], [], [], null, null, "SOC", Now, "soc"),
            new MdrMesh.Incidents.ProposingResponse.ResponseProposed(accepted.ResponseId, "ws-1", new DisableIsolationParameters(), null, Now, "soc"),
        }.Aggregate((MdrMesh.Incidents.Incident?)null, MdrMesh.Incidents.Incident.Evolve)!;

        Assert.Equal("auto-accepted by rule 3 'file collection on workstations', policy v7", MdrMesh.Incidents.RecordingResponseProgress.ResponseProgress.DecidedBy(accepted));
        var recorded = Assert.IsType<MdrMesh.Incidents.RecordingResponseProgress.ResponseAccepted>(
            Assert.Single(MdrMesh.Incidents.RecordingResponseProgress.ResponseProgress.Decide(accepted, incident)));
        Assert.Equal((7L, "RULE:3"), (recorded.PolicyVersion, recorded.PolicyRule));
    }

    [Fact]
    public void Given_an_acceptance_sent_before_rules_existed_when_read_then_it_still_names_the_setting()
    {
        var json = """{"PolicyVersion":3,"Rule":"ALL_TENANTS"}""";

        var old = System.Text.Json.JsonSerializer.Deserialize<Messages.AutoAcceptance>(json)!;

        Assert.Equal(new Messages.AutoAcceptance(3, "ALL_TENANTS"), old);
        Assert.Null(old.RuleNumber);
    }
}
