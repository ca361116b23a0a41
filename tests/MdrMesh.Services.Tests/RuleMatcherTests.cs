using System.Text.Json;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Responses;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Services.Tests;

/// <summary>The rules' matchers on the incident's priority and MITRE techniques and on a time window in the tenant's time zone.</summary>
public class RuleMatcherTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly TimeZoneInfo Berlin = TenantTimeZone.Find("Europe/Berlin")!;

    private static AutoAcceptRule Rule(string name, string action, string[]? priorities = null, string[]? techniques = null, TimeWindow? window = null,
        string[]? types = null) =>
        new(name, types ?? [], [], action) { Priorities = priorities ?? [], MitreTechniques = techniques ?? [], TimeWindow = window };

    private static ProposalFacts Facts(string? priority = null, string[]? techniques = null, DateTimeOffset? at = null, string type = ResponseType.GetFile) =>
        new(type, "ws-1") { Priority = priority, MitreTechniques = techniques, At = at ?? Now };

    private static TimeWindow Window(string from, string to, params string[] days) => new(days, from, to);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute, int year = 2026) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void A_priority_matcher_matches_only_the_listed_priorities_and_never_an_unknown_one()
    {
        var urgent = Rule("urgent", RuleAction.Accept, priorities: ["HIGH", "NORMAL"]);

        Assert.True(urgent.Matches(Facts("HIGH"), TimeZoneInfo.Utc));
        Assert.True(urgent.Matches(Facts("NORMAL"), TimeZoneInfo.Utc));
        Assert.False(urgent.Matches(Facts("LOW"), TimeZoneInfo.Utc));
        // A proposal recorded before priorities travelled.
        Assert.False(urgent.Matches(Facts(null), TimeZoneInfo.Utc));
        Assert.True(Rule("any", RuleAction.Accept).Matches(Facts(null), TimeZoneInfo.Utc));
    }

    [Fact]
    public void A_technique_covers_itself_and_its_sub_techniques_whatever_the_case_but_not_its_parent()
    {
        Assert.True(MitreTechnique.Covers("T1059", "T1059"));
        Assert.True(MitreTechnique.Covers("T1059", "T1059.001"));
        Assert.True(MitreTechnique.Covers("t1059", "T1059.003"));
        Assert.True(MitreTechnique.Covers("T1059.001", "t1059.001"));
        Assert.False(MitreTechnique.Covers("T1059.001", "T1059"));
        Assert.False(MitreTechnique.Covers("T1059.001", "T1059.002"));
        Assert.False(MitreTechnique.Covers("T1059", "T10590"));
        Assert.False(MitreTechnique.Covers("T1059", "T1055"));
    }

    [Fact]
    public void A_technique_matcher_matches_when_the_incident_has_any_covered_technique()
    {
        var scripting = Rule("scripting", RuleAction.Accept, techniques: ["T1059", "T1204.002"]);

        Assert.True(scripting.Matches(Facts(techniques: ["T1566", "T1059.001"]), TimeZoneInfo.Utc));
        Assert.True(scripting.Matches(Facts(techniques: ["T1204.002"]), TimeZoneInfo.Utc));
        Assert.False(scripting.Matches(Facts(techniques: ["T1204"]), TimeZoneInfo.Utc));
        Assert.False(scripting.Matches(Facts(techniques: []), TimeZoneInfo.Utc));
        Assert.False(scripting.Matches(Facts(techniques: null), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Well_formed_techniques_are_T_four_digits_and_an_optional_three_digit_sub_technique()
    {
        Assert.All(new[] { "T1059", "T1059.001", "t1003" }, t => Assert.True(MitreTechnique.IsWellFormed(t)));
        Assert.All(new[] { "T105", "T1059.1", "TA0001", "1059", "T1059.0001", " T1059", "T1059\n", "T١٠٥٩" }, t => Assert.False(MitreTechnique.IsWellFormed(t)));
    }

    [Fact]
    public void A_window_across_the_spring_change_in_Berlin_covers_the_hours_the_clocks_show()
    {
        // 2026-03-29: at 01:00 UTC the clocks go from 02:00 CET to 03:00 CEST, so 01:30–03:30 local lasts one hour.
        var window = Window("01:30", "03:30");

        Assert.False(window.Contains(Utc(3, 29, 0, 29), Berlin)); // 01:29 CET
        Assert.True(window.Contains(Utc(3, 29, 0, 30), Berlin)); // 01:30 CET
        Assert.True(window.Contains(Utc(3, 29, 0, 59), Berlin)); // 01:59 CET
        Assert.True(window.Contains(Utc(3, 29, 1, 0), Berlin)); // 03:00 CEST
        Assert.True(window.Contains(Utc(3, 29, 1, 29), Berlin)); // 03:29 CEST
        Assert.False(window.Contains(Utc(3, 29, 1, 30), Berlin)); // 03:30 CEST
        // The day before, in winter time: two hours, 00:30–02:30 UTC.
        Assert.True(window.Contains(Utc(3, 28, 2, 29), Berlin));
        Assert.False(window.Contains(Utc(3, 28, 2, 30), Berlin));
    }

    [Fact]
    public void A_window_across_the_autumn_change_in_Berlin_covers_the_repeated_hour_twice_and_on_the_local_day()
    {
        // 2026-10-25: at 01:00 UTC the clocks go from 03:00 CEST back to 02:00 CET, so 01:30–03:30 local lasts three hours.
        var sunday = Window("01:30", "03:30", "SUN");

        Assert.False(sunday.Contains(Utc(10, 24, 23, 29), Berlin)); // Sunday 01:29 CEST
        Assert.True(sunday.Contains(Utc(10, 24, 23, 30), Berlin)); // Sunday 01:30 CEST, still Saturday in UTC
        Assert.True(sunday.Contains(Utc(10, 25, 0, 30), Berlin)); // 02:30 CEST
        Assert.True(sunday.Contains(Utc(10, 25, 1, 0), Berlin)); // 02:00 CET
        Assert.True(sunday.Contains(Utc(10, 25, 1, 30), Berlin)); // 02:30 CET, the second time
        Assert.True(sunday.Contains(Utc(10, 25, 2, 29), Berlin)); // 03:29 CET
        Assert.False(sunday.Contains(Utc(10, 25, 2, 30), Berlin)); // 03:30 CET
        // Read in UTC instead, the same window is on Sunday 01:30–03:30 UTC only.
        Assert.False(sunday.Contains(Utc(10, 24, 23, 30), TimeZoneInfo.Utc));
    }

    [Fact]
    public void A_window_across_midnight_belongs_to_the_day_it_starts()
    {
        // 2026-12-04 is a Friday.
        var fridayNight = Window("22:00", "06:00", "FRI");

        Assert.False(fridayNight.Contains(Utc(12, 4, 21, 59), TimeZoneInfo.Utc));
        Assert.True(fridayNight.Contains(Utc(12, 4, 22, 0), TimeZoneInfo.Utc));
        Assert.True(fridayNight.Contains(Utc(12, 4, 23, 59), TimeZoneInfo.Utc));
        Assert.True(fridayNight.Contains(Utc(12, 5, 0, 0), TimeZoneInfo.Utc)); // Saturday's small hours: Friday's night
        Assert.True(fridayNight.Contains(Utc(12, 5, 5, 59), TimeZoneInfo.Utc));
        Assert.False(fridayNight.Contains(Utc(12, 5, 6, 0), TimeZoneInfo.Utc));
        Assert.False(fridayNight.Contains(Utc(12, 5, 22, 30), TimeZoneInfo.Utc)); // Saturday night
        Assert.False(fridayNight.Contains(Utc(12, 4, 5, 0), TimeZoneInfo.Utc)); // Friday's small hours: Thursday's night
        // In Berlin (UTC+1 in December) the same instants shift by an hour.
        Assert.True(fridayNight.Contains(Utc(12, 4, 21, 0), Berlin));
        Assert.False(fridayNight.Contains(Utc(12, 5, 5, 0), Berlin));
    }

    [Fact]
    public void A_window_without_days_is_every_day_and_its_end_is_not_included()
    {
        var office = Window("08:00", "17:30");

        Assert.All(Enumerable.Range(0, 7), d => Assert.True(office.Contains(Utc(12, 7 + d, 8, 0), TimeZoneInfo.Utc)));
        Assert.False(office.Contains(Utc(12, 7, 17, 30), TimeZoneInfo.Utc));
        Assert.False(office.Contains(Utc(12, 7, 7, 59), TimeZoneInfo.Utc));
    }

    [Fact]
    public void A_rule_matches_only_when_every_matcher_it_has_matches()
    {
        var rule = Rule("all", RuleAction.Accept, ["HIGH"], ["T1059"], Window("08:00", "18:00", "FRI"), [ResponseType.GetFile]);
        var facts = Facts("HIGH", ["T1059.001"], Utc(12, 4, 9, 0));

        Assert.True(rule.Matches(facts, TimeZoneInfo.Utc));
        Assert.False(rule.Matches(facts with { Type = ResponseType.Isolate }, TimeZoneInfo.Utc));
        Assert.False(rule.Matches(facts with { Priority = "LOW" }, TimeZoneInfo.Utc));
        Assert.False(rule.Matches(facts with { MitreTechniques = ["T1003"] }, TimeZoneInfo.Utc));
        Assert.False(rule.Matches(facts with { At = Utc(12, 5, 9, 0) }, TimeZoneInfo.Utc));
        // A zone the machine does not know: the window is not judged to match.
        Assert.False(rule.Matches(facts, null));
    }

    [Fact]
    public void Given_rules_on_the_new_matchers_when_deciding_then_the_first_matching_in_order_decides()
    {
        AutoAcceptRule[] rules =
        [
            Rule("low waits", RuleAction.Manual, priorities: ["LOW"]),
            Rule("night scripting", RuleAction.Accept, techniques: ["T1059"], window: Window("22:00", "06:00")),
            Rule("urgent", RuleAction.Accept, priorities: ["HIGH"]),
        ];

        Assert.Equal(new RuleMatch(1, "low waits", RuleAction.Manual),
            AutoAcceptRules.FirstMatch(rules, Facts("LOW", ["T1059"], Utc(12, 4, 23, 0))));
        Assert.Equal(new RuleMatch(2, "night scripting", RuleAction.Accept),
            AutoAcceptRules.FirstMatch(rules, Facts("HIGH", ["T1059.001"], Utc(12, 4, 23, 0))));
        Assert.Equal(new RuleMatch(3, "urgent", RuleAction.Accept), AutoAcceptRules.FirstMatch(rules, Facts("HIGH", ["T1059.001"], Utc(12, 4, 12, 0))));
        Assert.Null(AutoAcceptRules.FirstMatch(rules, Facts("NORMAL", ["T1059"], Utc(12, 4, 12, 0))));
        // The tenant's zone moves the window: 21:30 UTC is 22:30 in Berlin.
        Assert.Null(AutoAcceptRules.FirstMatch(rules, Facts("NORMAL", ["T1059"], Utc(12, 4, 21, 30))));
        Assert.Equal(2, AutoAcceptRules.FirstMatch(rules, Facts("NORMAL", ["T1059"], Utc(12, 4, 21, 30)), "Europe/Berlin")?.Number);
    }

    private static DeciderSpec<Decision, IDecisionCommand> Response() => new(Decisions.Decide, Decision.Evolve);

    private static AutoAcceptRules Policy(string timeZone, params AutoAcceptRule[] rules) =>
        AutoAcceptRules.Decide(new ReplaceRules("t1", rules, Now, "admin", "admin-id", timeZone), null).Aggregate((AutoAcceptRules?)null, AutoAcceptRules.Evolve)!;

    private static Messages.ResponseProposed Proposal(DateTimeOffset at, string? priority, IReadOnlyList<string>? techniques) =>
        new(Guid.NewGuid(), "t1", Guid.NewGuid(), "ws-1", new GetFileParameters(@"C:\Users\alice\invoice.exe", 1), "why", at, "soc", "soc-id",
            priority, techniques);

    [Fact]
    public void Given_a_policy_in_Berlin_when_a_proposal_of_a_high_priority_scripting_incident_arrives_at_night_there_then_a_rule_accepts_it()
    {
        var policy = Policy("Europe/Berlin", Rule("night scripting", RuleAction.Accept, ["HIGH"], ["T1059"], Window("22:00", "06:00")));
        // 21:30 UTC in December: 22:30 in Berlin.
        var proposal = Proposal(Utc(12, 4, 21, 30), "HIGH", ["T1059.001"]);

        Response().Given().When(new Propose(proposal, AutoAcceptSetting.Initial, policy, IncidentClosed: false, Week, Now)).Then(events =>
        {
            var proposed = Assert.IsType<ResponseProposed>(events[0]);
            Assert.Equal(("HIGH", proposal.MitreTechniques), (proposed.Priority, proposed.MitreTechniques));
            Assert.Equal(new Messages.AutoAcceptance(1, "RULE:1", 1, "night scripting"), Assert.IsType<ResponseAccepted>(events[1]).AutoAccepted);
            // Replayed from what was recorded, the proposal meets the same rule: it is judged at its own time, not the replay's.
            Assert.Equal(1, AutoAcceptRules.FirstMatch(policy.Rules, ProposalFacts.Of(proposed), policy.TimeZone)?.Number);
        });
    }

    [Fact]
    public void Given_a_priority_rule_when_a_proposal_sent_before_priorities_travelled_arrives_then_the_mode_decides()
    {
        var policy = Policy(TenantTimeZone.Utc, Rule("urgent", RuleAction.Accept, priorities: ["HIGH"]));

        Response().Given().When(new Propose(Proposal(Now, null, null), AutoAcceptSetting.Initial, policy, IncidentClosed: false, Week, Now))
            .Then(events => Waiting.For(events));
    }

    [Fact]
    public void Given_a_policy_when_set_again_with_the_same_matchers_and_zone_then_no_new_version_but_a_new_zone_is_one()
    {
        AutoAcceptRule Night() => Rule("night", RuleAction.Accept, ["HIGH"], ["T1059"], Window("22:00", "06:00", "FRI", "SAT"));
        var v1 = Policy("Europe/Berlin", Night());

        Assert.Empty(AutoAcceptRules.Decide(new ReplaceRules("t1", [Night()], Now, "bob", "bob-id", "Europe/Berlin"), v1));
        Assert.Single(AutoAcceptRules.Decide(new ReplaceRules("t1", [Night() with { Priorities = ["LOW"] }], Now, "bob", "bob-id", "Europe/Berlin"), v1));
        Assert.Single(AutoAcceptRules.Decide(new ReplaceRules("t1", [Night() with { MitreTechniques = ["T1059.001"] }], Now, "bob", "bob-id", "Europe/Berlin"), v1));
        Assert.Single(AutoAcceptRules.Decide(new ReplaceRules("t1", [Night() with { TimeWindow = Window("22:00", "06:00", "FRI") }], Now, "bob", "bob-id",
            "Europe/Berlin"), v1));
        Assert.Single(AutoAcceptRules.Decide(new ReplaceRules("t1", [Night() with { TimeWindow = null }], Now, "bob", "bob-id", "Europe/Berlin"), v1));

        var moved = Assert.IsType<AutoAcceptRulesSet>(Assert.Single(AutoAcceptRules.Decide(new ReplaceRules("t1", [Night()], Now, "bob", "bob-id", "UTC"), v1)));
        Assert.Equal((2L, "UTC"), (moved.Version, moved.TimeZone));
        Assert.Equal(("Europe/Berlin", "UTC"), (v1.TimeZone, v1.Apply(moved).TimeZone));
    }

    [Fact]
    public void Events_and_messages_written_before_the_new_matchers_still_load_with_none_of_them()
    {
        var set = JsonSerializer.Deserialize<AutoAcceptRulesSet>(
            """{"TenantId":"t1","Version":1,"Rules":[{"Name":"files","Types":["GET_FILE"],"AssetIds":[],"Action":"ACCEPT"}],"PreviousRules":[],"At":"2026-12-01T00:00:00+00:00","By":"a","ById":"a-id"}""")!;
        var proposal = JsonSerializer.Deserialize<Messages.ResponseProposed>(
            """{"ResponseId":"5f0c3a4e-9b1d-4c2a-8e7f-0a1b2c3d4e5f","TenantId":"t1","IncidentId":"5f0c3a4e-9b1d-4c2a-8e7f-0a1b2c3d4e50","AssetId":"ws-1","Parameters":{"type":"DISABLE_ISOLATION"},"Description":null,"At":"2026-12-01T00:00:00+00:00","By":"soc"}""",
            ResponseJson.Options)!;

        Assert.Equal(TenantTimeZone.Utc, set.TimeZone);
        Assert.Equal(TenantTimeZone.Utc, AutoAcceptRules.Create(set).TimeZone);
        var rule = Assert.Single(set.Rules);
        Assert.Equal((0, 0), (rule.Priorities.Count, rule.MitreTechniques.Count));
        Assert.Null(rule.TimeWindow);
        Assert.Null(proposal.Priority);
        Assert.Null(proposal.MitreTechniques);
    }

    [Fact]
    public void Time_zones_are_IANA_names_this_machine_knows()
    {
        Assert.Equal(TimeZoneInfo.Utc, TenantTimeZone.Find("UTC"));
        Assert.NotNull(TenantTimeZone.Find("Europe/Berlin"));
        Assert.NotNull(TenantTimeZone.Find("America/Argentina/Buenos_Aires"));
        Assert.NotNull(TenantTimeZone.Find("Etc/GMT+5"));
        Assert.All(new[] { "Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/localtime", "W. Europe Standard Time", "Europe/Berlin ", new string('A', 65), null },
            name => Assert.Null(TenantTimeZone.Find(name)));
    }
}
