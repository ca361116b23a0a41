using MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.AutoAcceptPolicy;

/// <summary>
/// One auto-accept switch turned on or off: who (name and connection id), when, before and after.
/// <see cref="Scope"/> is a tenant id, or <see cref="AutoAcceptSwitch.Installation"/> for the default
/// of tenants without a switch of their own. <see cref="Version"/> counts the switch's changes from 1.
/// </summary>
public sealed record AutoAcceptSwitched(string Scope, long Version, bool Enabled, bool WasEnabled, DateTimeOffset At, string By, string ById);

/// <summary>
/// One switch of the auto-accept setting, a stream of its own: a tenant's (in that tenant's scope),
/// or the installation default (in the root of the store) that every tenant without its own follows,
/// tenants created later included.
/// </summary>
public sealed record AutoAcceptSwitch
{
    /// <summary>The scope of the installation default.</summary>
    public const string Installation = "*";

    public Guid Id { get; init; }
    public string Scope { get; init; } = "";
    public long Version { get; init; }
    public bool Enabled { get; init; }
    public DateTimeOffset? ChangedAt { get; init; }
    public string? ChangedBy { get; init; }
    public string? ChangedById { get; init; }

    /// <summary>
    /// The stream id of a scope's switch, derived from the scope so that no two tenants' switches can
    /// share a row whatever the store's keys are.
    /// </summary>
    public static Guid StreamIdOf(string scope) => NameBasedId.Of($"mdrmesh/auto-accept/{scope}");

    public static AutoAcceptSwitch Create(AutoAcceptSwitched e) => new AutoAcceptSwitch { Id = StreamIdOf(e.Scope), Scope = e.Scope }.Apply(e);

    public AutoAcceptSwitch Apply(AutoAcceptSwitched e) => this with
    {
        Version = e.Version, Enabled = e.Enabled, ChangedAt = e.At, ChangedBy = e.By, ChangedById = e.ById,
    };
}

/// <summary>
/// <c>auto_accept/set</c> as a command: the mode over the caller's tenants (<see cref="CallerTenants"/>
/// null: every tenant, and the installation default).
/// </summary>
public sealed record SetAutoAccept(string Mode, IReadOnlyList<string> TenantIds, IReadOnlySet<string>? CallerTenants, DateTimeOffset At, string By,
    string ById);

/// <summary>
/// The auto-accept policy as far as it is known: the installation default and the switches of the
/// tenants that have their own. A tenant's own switch wins; without one the default applies.
/// </summary>
public sealed record AutoAcceptSetting(AutoAcceptSwitch? Default, IReadOnlyDictionary<string, AutoAcceptSwitch> Tenants)
{
    public const string Disabled = "DISABLED";
    public const string AllTenants = "ALL_TENANTS";
    public const string SelectedTenants = "SELECTED_TENANTS";
    public static readonly IReadOnlyList<string> Modes = [Disabled, AllTenants, SelectedTenants];

    public static readonly AutoAcceptSetting Initial = new(null, new Dictionary<string, AutoAcceptSwitch>());

    public static AutoAcceptSetting Of(IEnumerable<AutoAcceptSwitch> switches)
    {
        var all = switches.ToList();
        return new(all.FirstOrDefault(s => s.Scope == AutoAcceptSwitch.Installation),
            all.Where(s => s.Scope != AutoAcceptSwitch.Installation).ToDictionary(s => s.Scope));
    }

    public bool DefaultEnabled => Default?.Enabled ?? false;

    /// <summary>The switch that decides for a tenant: its own, else the installation default (null: never set, off).</summary>
    public AutoAcceptSwitch? SourceFor(string tenantId) => Tenants.GetValueOrDefault(tenantId) ?? Default;

    public bool IsOn(string tenantId) => SourceFor(tenantId)?.Enabled ?? false;

    /// <summary>The policy itself: whether a response of <paramref name="tenantId"/> is accepted without a person, and by which switch.</summary>
    public AutoAcceptance? Allows(string tenantId) => Tenants.TryGetValue(tenantId, out var own)
        ? own.Enabled ? new AutoAcceptance(own.Version, $"TENANT:{tenantId}") : null
        : DefaultEnabled ? new AutoAcceptance(Default!.Version, AllTenants) : null;

    /// <summary>
    /// The switches a change turns. A connection over some tenants turns only theirs: ALL_TENANTS on,
    /// DISABLED off, SELECTED_TENANTS the listed on and its others off. A connection over every tenant
    /// also sets the default (on only for ALL_TENANTS) and makes every tenant's own switch match.
    /// Only switches whose effective state changes are written.
    /// </summary>
    public static IReadOnlyList<AutoAcceptSwitched> Decide(SetAutoAccept command, AutoAcceptSetting setting) => setting.Decide(command);

    private IReadOnlyList<AutoAcceptSwitched> Decide(SetAutoAccept command)
    {
        bool Wanted(string tenant) => command.Mode == AllTenants || (command.Mode == SelectedTenants && command.TenantIds.Contains(tenant));

        var changes = new List<AutoAcceptSwitched>();
        void Turn(string scope, AutoAcceptSwitch? current, bool wasEnabled, bool enabled) =>
            changes.Add(new AutoAcceptSwitched(scope, (current?.Version ?? 0) + 1, enabled, wasEnabled, command.At, command.By, command.ById));

        if (command.CallerTenants is { } reach)
        {
            foreach (var tenant in reach.Order(StringComparer.Ordinal))
                if (IsOn(tenant) != Wanted(tenant)) Turn(tenant, Tenants.GetValueOrDefault(tenant), IsOn(tenant), Wanted(tenant));
            return changes;
        }

        var defaultOn = command.Mode == AllTenants;
        if (DefaultEnabled != defaultOn) Turn(AutoAcceptSwitch.Installation, Default, DefaultEnabled, defaultOn);
        // A tenant without a switch of its own follows the new default; one with its own, or listed, is made to match.
        foreach (var tenant in Tenants.Keys.Union(command.TenantIds).Order(StringComparer.Ordinal))
        {
            var own = Tenants.GetValueOrDefault(tenant);
            if ((own?.Enabled ?? defaultOn) != Wanted(tenant)) Turn(tenant, own, IsOn(tenant), Wanted(tenant));
        }
        return changes;
    }

    /// <summary>The decider's fold: the setting after one switch turned.</summary>
    public static AutoAcceptSetting Evolve(AutoAcceptSetting setting, AutoAcceptSwitched e) => setting.Turned(e);

    private AutoAcceptSetting Turned(AutoAcceptSwitched e)
    {
        if (e.Scope == AutoAcceptSwitch.Installation)
            return this with { Default = Default?.Apply(e) ?? AutoAcceptSwitch.Create(e) };
        var tenants = new Dictionary<string, AutoAcceptSwitch>(Tenants)
        {
            [e.Scope] = Tenants.GetValueOrDefault(e.Scope)?.Apply(e) ?? AutoAcceptSwitch.Create(e),
        };
        return this with { Tenants = tenants };
    }
}

/// <summary>
/// The one installation-wide setting's change, before settings were per tenant. Kept only so that
/// events written then still read; nothing appends it any more.
/// </summary>
public sealed record AutoAcceptSettingChanged(
    long Version,
    string Mode,
    IReadOnlyList<string> TenantIds,
    string PreviousMode,
    IReadOnlyList<string> PreviousTenantIds,
    DateTimeOffset At,
    string By);
