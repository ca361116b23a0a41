using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Assets;
using MdrMesh.Contracts.Responses;
using MdrMesh.Executor.Assets;
using MdrMesh.Executor.Fleet;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Services.Tests;

/// <summary>Asset groups: the host-name glob, each filter criterion, membership, the groups' decider, and rules that name groups.</summary>
public class AssetGroupsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);

    private static AssetProfile Asset(string host, string? domain = "corp.example", string os = "Windows", params string[] tags) =>
        new() { Id = host.ToLowerInvariant(), HostName = host, Domain = domain, Os = os, Tags = tags, At = Now };

    private static readonly AssetProfile Workstation = Asset("WS-FINANCE-01", tags: ["workstation", "finance"]);
    private static readonly AssetProfile DomainController = Asset("SRV-DC-01", tags: ["server", "domain-controller"]);
    private static readonly AssetProfile WebServer = Asset("srv-web-02", "dmz.example", "Linux", "server");

    [Theory]
    [InlineData("ws-*", "WS-FINANCE-01", true)]
    [InlineData("ws-*", "ws-", true)]
    [InlineData("ws-*", "WS", false)]
    [InlineData("*-01", "SRV-DC-01", true)]
    [InlineData("*dc*", "SRV-DC-01", true)]
    [InlineData("srv-??-01", "SRV-DC-01", true)]
    [InlineData("srv-?-01", "SRV-DC-01", false)]
    [InlineData("SRV-DC-01", "srv-dc-01", true)]
    [InlineData("srv-dc-0", "srv-dc-01", false)]
    [InlineData("*", "", true)]
    [InlineData("?", "", false)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    [InlineData("**x", "yyx", true)]
    public void Given_a_host_name_pattern_when_matched_then_star_is_any_run_question_mark_one_character_ignoring_case(string pattern, string host,
        bool matches) => Assert.Equal(matches, HostNameGlob.Matches(pattern, host));

    [Fact]
    public void Given_a_long_pattern_of_stars_when_matched_against_a_long_name_then_it_answers_at_once()
    {
        var pattern = string.Concat(Enumerable.Repeat("*a", 128));
        var name = new string('a', 200) + "b";

        Assert.False(HostNameGlob.Matches(pattern, name));
    }

    [Fact]
    public void Given_each_criterion_when_testing_assets_then_an_asset_meets_it_as_assets_list_would()
    {
        AssetProfile[] all = [Workstation, DomainController, WebServer];
        AssetProfile[] In(AssetGroupFilter filter) => all.Where(filter.Contains).ToArray();

        Assert.Equal(all, In(new AssetGroupFilter()));
        Assert.Equal([WebServer], In(new AssetGroupFilter { Os = ["linux", "macOS"] }));
        Assert.Equal([Workstation, DomainController], In(new AssetGroupFilter { Domain = ["CORP.example"] }));
        Assert.Equal([DomainController], In(new AssetGroupFilter { HostNamePattern = "srv-dc-*" }));
        Assert.Equal([DomainController, WebServer], In(new AssetGroupFilter { Tags = ["SERVER", "nothing"] }));
        // Every criterion given must hold.
        Assert.Equal([DomainController], In(new AssetGroupFilter { Tags = ["server"], Domain = ["corp.example"] }));
        Assert.Empty(In(new AssetGroupFilter { Os = ["Linux"], HostNamePattern = "srv-dc-*" }));
        // An asset without a domain is in no domain.
        Assert.False(new AssetGroupFilter { Domain = ["corp.example"] }.Contains(Asset("LAPTOP-1", domain: null)));
    }

    [Fact]
    public void Given_groups_when_an_asset_is_profiled_then_it_is_in_each_group_whose_filter_holds_it_and_unprofiled_in_none()
    {
        var groups = Groups(
            ("workstations", new AssetGroupFilter { HostNamePattern = "ws-*" }),
            ("servers", new AssetGroupFilter { Tags = ["server"] }),
            ("corp", new AssetGroupFilter { Domain = ["corp.example"] }));

        Assert.Equal(["id-corp", "id-workstations"], groups.MembershipOf(Workstation).Order(StringComparer.Ordinal));
        Assert.Equal(["id-corp", "id-servers"], groups.MembershipOf(DomainController).Order(StringComparer.Ordinal));
        Assert.Equal(["id-servers"], groups.MembershipOf(WebServer));
        Assert.Empty(groups.MembershipOf(null));
    }

    [Fact]
    public void Given_a_rule_on_a_group_when_deciding_then_it_matches_the_groups_assets_in_rule_order()
    {
        AutoAcceptRule[] rules =
        [
            new("servers need a person", [], [], RuleAction.Manual) { AssetGroups = ["id-servers"] },
            new("file collection on workstations", [ResponseType.GetFile], [], RuleAction.Accept) { AssetGroups = ["id-workstations", "id-laptops"] },
        ];
        ProposalFacts On(string type, params string[] groups) => new(type, "any") { AssetGroups = groups.ToHashSet() };

        Assert.Equal(new RuleMatch(2, "file collection on workstations", RuleAction.Accept),
            AutoAcceptRules.FirstMatch(rules, On(ResponseType.GetFile, "id-corp", "id-workstations")));
        Assert.Equal(2, AutoAcceptRules.FirstMatch(rules, On(ResponseType.GetFile, "id-laptops"))?.Number);
        // In both groups: the first rule decides.
        Assert.Equal(1, AutoAcceptRules.FirstMatch(rules, On(ResponseType.GetFile, "id-workstations", "id-servers"))?.Number);
        Assert.Null(AutoAcceptRules.FirstMatch(rules, On(ResponseType.Isolate, "id-workstations")));
        // An asset in no group (or not profiled yet) matches no rule that names groups.
        Assert.Null(AutoAcceptRules.FirstMatch(rules, On(ResponseType.GetFile)));
        Assert.Null(AutoAcceptRules.FirstMatch(rules, new ProposalFacts(ResponseType.GetFile, "any")));
    }

    [Fact]
    public void Given_a_proposal_on_an_asset_of_an_accepted_group_when_proposed_then_accepted_and_outside_it_waits()
    {
        var rules = AutoAcceptRules.Decide(new ReplaceRules("t1",
                [new AutoAcceptRule("workstations", [ResponseType.GetFile], [], RuleAction.Accept) { AssetGroups = ["id-workstations"] }], Now, "admin", "a"),
                null)
            .Aggregate((AutoAcceptRules?)null, AutoAcceptRules.Evolve);
        var groups = Groups(("workstations", new AssetGroupFilter { HostNamePattern = "ws-*" }));
        Messages.ResponseProposed Proposal(string asset) =>
            new(Guid.NewGuid(), "t1", Guid.NewGuid(), asset, new GetFileParameters(@"C:\a.exe", 1), "why", Now, "soc", "soc-id");
        IReadOnlyList<object> Decide(AssetProfile asset) => Decisions.Decide(
            new Propose(Proposal(asset.Id), AutoAcceptSetting.Initial, rules, false, TimeSpan.FromDays(1), Now, groups.MembershipOf(asset)), null);

        var accepted = Assert.IsType<ResponseAccepted>(Decide(Workstation)[1]);
        Assert.Equal(new Messages.AutoAcceptance(1, "RULE:1", 1, "workstations"), accepted.AutoAccepted);
        Waiting.For(Decide(DomainController));
        // Proposals decided before groups (no set given) are in no group.
        Waiting.For(Decisions.Decide(new Propose(Proposal("ws-1"), AutoAcceptSetting.Initial, rules, false, TimeSpan.FromDays(1), Now), null));
    }

    [Fact]
    public void Given_rules_differing_only_in_groups_when_set_then_it_is_a_new_version()
    {
        var rule = new AutoAcceptRule("files", [ResponseType.GetFile], [], RuleAction.Accept);

        Assert.True(rule.SameAs(rule with { AssetGroups = [] }));
        Assert.False(rule.SameAs(rule with { AssetGroups = ["id-workstations"] }));
    }

    private static DeciderSpec<AssetGroups, IAssetGroupCommand> Spec() => new(AssetGroups.Decide, AssetGroups.Evolve);

    private static readonly AssetGroupFilter Servers = new() { Tags = ["server"] };
    private static readonly AssetGroupCreated ServersCreated = new("t1", "g1", "Servers", Servers, true, Now, "alice", "alice-id");

    [Fact]
    public void Given_no_groups_when_one_is_created_then_it_records_who_and_when()
    {
        Spec().When(new CreateAssetGroup("t1", "g1", "Servers", Servers, true, Now, "alice", "alice-id")).Then(ServersCreated);
        var groups = AssetGroups.Create(ServersCreated);
        Assert.Equal((AssetGroups.StreamIdOf("t1"), "Servers", Now, "alice"), (groups.Id, groups.Groups[0].Name, groups.Groups[0].ChangedAt, groups.Groups[0].ChangedBy));
    }

    [Fact]
    public void Given_a_group_when_another_takes_its_name_in_another_case_then_it_is_refused()
    {
        Spec().Given(ServersCreated).When(new CreateAssetGroup("t1", "g2", "SERVERS", Servers, false, Now, "bob", "bob-id"))
            .ThenRefuses<AssetGroupNameTaken>();
        Spec().Given(ServersCreated, new AssetGroupCreated("t1", "g2", "Laptops", new AssetGroupFilter(), false, Now, "bob", "bob-id"))
            .When(new UpdateAssetGroup("t1", "g2", "servers", null, null, Now, "bob", "bob-id")).ThenRefuses<AssetGroupNameTaken>();
    }

    [Fact]
    public void Given_a_group_when_updated_then_what_is_given_replaces_and_the_same_again_is_no_change()
    {
        var linux = new AssetGroupFilter { Os = [OsFamilies.All[1]] };

        Spec().Given(ServersCreated).When(new UpdateAssetGroup("t1", "g1", "servers", linux, null, Now, "bob", "bob-id"))
            .Then(new AssetGroupUpdated("t1", "g1", "servers", linux, true, Now, "bob", "bob-id"));
        Spec().Given(ServersCreated).When(new UpdateAssetGroup("t1", "g1", "Servers", Servers with { Tags = ["server"] }, true, Now, "bob", "bob-id"))
            .Then();
        Spec().Given(ServersCreated).When(new UpdateAssetGroup("t1", "nope", "x", null, null, Now, "bob", "bob-id")).ThenRefuses<AssetGroupNotFound>();
    }

    [Fact]
    public void Given_a_group_a_rule_names_when_deleted_then_it_is_refused_naming_the_rule_and_unnamed_it_is_deleted()
    {
        AutoAcceptRule[] rules = [new("files", [], [], RuleAction.Accept), new("hold servers", [], [], RuleAction.Manual) { AssetGroups = ["g1"] }];

        var refused = Spec().Given(ServersCreated).When(new DeleteAssetGroup("t1", "g1", rules, Now, "bob", "bob-id")).ThenRefuses<AssetGroupInUse>();
        Assert.Contains("rule 2 'hold servers'", refused.Message);
        Spec().Given(ServersCreated).When(new DeleteAssetGroup("t1", "g1", rules[..1], Now, "bob", "bob-id"))
            .Then(new AssetGroupDeleted("t1", "g1", "Servers", Now, "bob", "bob-id"));
        Spec().When(new DeleteAssetGroup("t1", "g1", [], Now, "bob", "bob-id")).ThenRefuses<AssetGroupNotFound>();
        // Deleted, its name is free again.
        Spec().Given(ServersCreated, new AssetGroupDeleted("t1", "g1", "Servers", Now, "bob", "bob-id"))
            .When(new CreateAssetGroup("t1", "g3", "Servers", Servers, false, Now, "bob", "bob-id")).Then(e => Assert.IsType<AssetGroupCreated>(Assert.Single(e)));
    }

    [Fact]
    public void Given_the_most_groups_a_tenant_may_have_when_one_more_is_created_then_it_is_refused()
    {
        var full = Enumerable.Range(0, AssetGroups.MaxGroups)
            .Select(i => (object)new AssetGroupCreated("t1", $"g{i}", $"group {i}", new AssetGroupFilter(), false, Now, "alice", "alice-id")).ToArray();

        Spec().Given(full).When(new CreateAssetGroup("t1", "one-more", "one more", new AssetGroupFilter(), false, Now, "alice", "alice-id"))
            .ThenRefuses<TooManyAssetGroups>();
    }

    [Fact]
    public void Given_an_asset_when_stored_then_its_profile_is_announced_once_and_again_only_when_it_changed()
    {
        var asset = new FleetAsset { Id = "ws-1", HostName = "WS-1", Domain = "corp.example", Os = OsFamily.Windows, Tags = ["workstation"] };
        var first = AnnouncedProfile.Decide(new AnnounceProfile("t1", asset, Now), null);
        var announced = first.Aggregate((AnnouncedProfile?)null, AnnouncedProfile.Evolve);

        Assert.Equal(new Executor.Assets.AssetProfiled("t1", "ws-1", "WS-1", "corp.example", OsFamily.Windows, asset.Tags, Now), Assert.Single(first));
        // Loaded again at the next start, or re-registered with another state but the same profile: nothing.
        Assert.Empty(AnnouncedProfile.Decide(new AnnounceProfile("t1", asset with { Status = AssetStatus.Offline, Tags = ["workstation"] }, Now.AddDays(1)), announced));
        Assert.Single(AnnouncedProfile.Decide(new AnnounceProfile("t1", asset with { Tags = ["workstation", "pci"] }, Now.AddDays(1)), announced));
        Assert.Single(AnnouncedProfile.Decide(new AnnounceProfile("t1", asset with { Domain = null }, Now.AddDays(1)), announced));
        Assert.NotEqual(AnnouncedProfile.StreamIdOf("t1", "ws-1"), AnnouncedProfile.StreamIdOf("t2", "ws-1"));
    }

    [Fact]
    public void Given_a_kept_profile_when_another_arrives_then_only_a_later_one_replaces_it()
    {
        Messages.AssetProfiled At(DateTimeOffset at) => new("t1", "ws-1", "WS-1", null, "Windows", [], at);
        var kept = AssetProfile.Of(At(Now));

        Assert.True(AssetProfile.Supersedes(At(Now), null));
        Assert.False(AssetProfile.Supersedes(At(Now), kept));
        Assert.False(AssetProfile.Supersedes(At(Now.AddSeconds(-1)), kept));
        Assert.True(AssetProfile.Supersedes(At(Now.AddSeconds(1)), kept));
    }

    [Fact]
    public void Given_the_executors_os_families_when_groups_select_by_os_then_they_are_the_same()
    {
        Assert.Equal(OsFamily.All, OsFamilies.All);
    }

    private static AssetGroups Groups(params (string Name, AssetGroupFilter Filter)[] groups)
    {
        AssetGroups? current = null;
        foreach (var (name, filter) in groups)
            current = AssetGroups.Decide(new CreateAssetGroup("t1", $"id-{name}", name, filter, false, Now, "admin", "admin-id"), current)
                .Aggregate(current, AssetGroups.Evolve);
        return current!;
    }
}
