using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Contracts.Messages;

namespace MdrMesh.Services.Tests;

/// <summary>The per-tenant auto-accept setting as pure functions: given earlier changes, when one is made, then these switches turn.</summary>
public class AutoAcceptSettingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static SetAutoAccept Everyone(string mode, params string[] tenants) => new(mode, tenants, null, Now, "admin", "admin-id");

    private static SetAutoAccept Limited(string[] reach, string mode, params string[] tenants) =>
        new(mode, tenants, reach.ToHashSet(), Now, "customer", "customer-id");

    private static AutoAcceptSetting Given(params SetAutoAccept[] changes) =>
        changes.Aggregate(AutoAcceptSetting.Initial, (s, c) => AutoAcceptSetting.Decide(c, s).Aggregate(s, AutoAcceptSetting.Evolve));

    private static AutoAcceptSetting Then(AutoAcceptSetting given, SetAutoAccept when) => AutoAcceptSetting.Decide(when, given).Aggregate(given, AutoAcceptSetting.Evolve);

    [Fact]
    public void A_connection_limited_to_B_selecting_B_turns_on_B_only_and_leaves_A_on()
    {
        var given = Given(Everyone("SELECTED_TENANTS", "a"));

        var changes = AutoAcceptSetting.Decide(Limited(["b"], "SELECTED_TENANTS", "b"), given);

        var change = Assert.Single(changes);
        Assert.Equal(("b", 1L, true, false, "customer", "customer-id"), (change.Scope, change.Version, change.Enabled, change.WasEnabled, change.By, change.ById));
        var after = Then(given, Limited(["b"], "SELECTED_TENANTS", "b"));
        Assert.True(after.IsOn("a"));
        Assert.True(after.IsOn("b"));
        Assert.False(after.IsOn("c"));
    }

    [Fact]
    public void A_limited_connection_turns_its_tenants_off_with_disabled_while_the_installation_default_keeps_the_others_on()
    {
        var given = Given(Everyone("ALL_TENANTS"));

        var after = Then(given, Limited(["b"], "DISABLED"));

        Assert.False(after.IsOn("b"));
        Assert.Null(after.Allows("b"));
        Assert.Equal(new AutoAcceptance(1, "ALL_TENANTS"), after.Allows("a"));
        Assert.Equal(new AutoAcceptance(1, "ALL_TENANTS"), after.Allows("created-later"));
    }

    [Fact]
    public void Selected_from_a_limited_connection_turns_the_listed_on_and_its_other_tenants_off()
    {
        var given = Given(Everyone("SELECTED_TENANTS", "a", "b", "c"));

        var after = Then(given, Limited(["a", "b"], "SELECTED_TENANTS", "b"));

        Assert.Equal([false, true, true], new[] { "a", "b", "c" }.Select(after.IsOn));
        Assert.Equal(2, after.Tenants["a"].Version);
        Assert.Equal(new AutoAcceptance(1, "TENANT:b"), after.Allows("b"));
    }

    [Fact]
    public void All_tenants_from_a_limited_connection_turns_on_only_its_own_tenants()
    {
        var after = Then(AutoAcceptSetting.Initial, Limited(["a", "b"], "ALL_TENANTS"));

        Assert.True(after.IsOn("a") && after.IsOn("b"));
        Assert.False(after.IsOn("c"));
        Assert.False(after.DefaultEnabled);
    }

    [Fact]
    public void All_tenants_from_an_every_tenant_connection_covers_later_tenants_and_overrides_own_switches()
    {
        var given = Given(Everyone("ALL_TENANTS"), Limited(["b"], "DISABLED"));

        var changes = AutoAcceptSetting.Decide(Everyone("ALL_TENANTS"), given);

        var change = Assert.Single(changes);
        Assert.Equal(("b", 2L, true), (change.Scope, change.Version, change.Enabled));
        var after = Then(given, Everyone("ALL_TENANTS"));
        Assert.True(after.IsOn("b"));
        Assert.True(after.IsOn("created-later"));
    }

    [Fact]
    public void Disabled_from_an_every_tenant_connection_turns_everything_off()
    {
        var given = Given(Everyone("ALL_TENANTS"), Limited(["b"], "DISABLED"), Everyone("SELECTED_TENANTS", "b", "c"));

        var after = Then(given, Everyone("DISABLED"));

        Assert.All(new[] { "a", "b", "c", "root", "created-later" }, t => Assert.False(after.IsOn(t)));
    }

    [Fact]
    public void Selected_from_an_every_tenant_connection_turns_exactly_the_list_on()
    {
        var given = Given(Everyone("ALL_TENANTS"), Limited(["c"], "ALL_TENANTS"), Limited(["d"], "DISABLED"));

        var after = Then(given, Everyone("SELECTED_TENANTS", "a", "root"));

        Assert.Equal([true, false, false, false, true, false],
            new[] { "a", "b", "c", "d", "root", "created-later" }.Select(after.IsOn));
    }

    [Fact]
    public void A_change_that_changes_nothing_records_nothing()
    {
        var given = Given(Everyone("SELECTED_TENANTS", "a"));

        Assert.Empty(AutoAcceptSetting.Decide(Everyone("SELECTED_TENANTS", "a", "a"), given));
        Assert.Empty(AutoAcceptSetting.Decide(Limited(["a"], "ALL_TENANTS"), given));
        Assert.Empty(AutoAcceptSetting.Decide(Limited(["b"], "DISABLED"), given));
    }

    [Fact]
    public void Each_switch_counts_its_versions_and_records_before_and_after()
    {
        var given = Given(Everyone("ALL_TENANTS"), Everyone("DISABLED"));

        var change = Assert.Single(AutoAcceptSetting.Decide(Everyone("ALL_TENANTS"), given));

        Assert.Equal((AutoAcceptSwitch.Installation, 3L, true, false, Now, "admin"),
            (change.Scope, change.Version, change.Enabled, change.WasEnabled, change.At, change.By));
        Assert.Equal(3, Then(given, Everyone("ALL_TENANTS")).Allows("x")!.PolicyVersion);
    }

    [Fact]
    public void Switch_stream_ids_are_fixed_per_tenant_and_differ_between_tenants()
    {
        Assert.Equal(AutoAcceptSwitch.StreamIdOf("a"), AutoAcceptSwitch.StreamIdOf("a"));
        Assert.NotEqual(AutoAcceptSwitch.StreamIdOf("a"), AutoAcceptSwitch.StreamIdOf("b"));
        Assert.NotEqual(AutoAcceptSwitch.StreamIdOf(AutoAcceptSwitch.Installation), AutoAcceptSwitch.StreamIdOf("root"));
    }
}
