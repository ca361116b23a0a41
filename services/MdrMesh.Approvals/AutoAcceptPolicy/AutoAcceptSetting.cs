using MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.AutoAcceptPolicy;

/// <summary>A change of the auto-accept setting: who, when, before and after. <see cref="Version"/> counts changes from 1.</summary>
public sealed record AutoAcceptSettingChanged(
    long Version,
    string Mode,
    IReadOnlyList<string> TenantIds,
    string PreviousMode,
    IReadOnlyList<string> PreviousTenantIds,
    DateTimeOffset At,
    string By);

/// <summary>
/// The product's auto-accept setting: <c>DISABLED</c>; <c>ALL_TENANTS</c> (including tenants
/// created later); <c>SELECTED_TENANTS</c>. One stream for the whole installation, in the root scope.
/// </summary>
public sealed record AutoAcceptSetting
{
    public const string Disabled = "DISABLED";
    public const string AllTenants = "ALL_TENANTS";
    public const string SelectedTenants = "SELECTED_TENANTS";
    public static readonly IReadOnlyList<string> Modes = [Disabled, AllTenants, SelectedTenants];

    /// <summary>The stream id of the setting.</summary>
    public static readonly Guid StreamId = new("a7c0ffee-0000-4000-8000-000000000001");

    public static readonly AutoAcceptSetting Initial = new();

    public Guid Id { get; init; } = StreamId;
    public long Version { get; init; }
    public string Mode { get; init; } = Disabled;
    public IReadOnlyList<string> TenantIds { get; init; } = [];
    public DateTimeOffset? ChangedAt { get; init; }
    public string? ChangedBy { get; init; }

    public static AutoAcceptSetting Create(AutoAcceptSettingChanged e) => Initial.Apply(e);

    public AutoAcceptSetting Apply(AutoAcceptSettingChanged e) => this with
    {
        Version = e.Version, Mode = e.Mode, TenantIds = e.TenantIds, ChangedAt = e.At, ChangedBy = e.By,
    };

    /// <summary>The policy itself: whether a response of <paramref name="tenantId"/> is accepted without a person, and by which rule.</summary>
    public AutoAcceptance? Allows(string tenantId) => Mode switch
    {
        AllTenants => new AutoAcceptance(Version, AllTenants),
        SelectedTenants when TenantIds.Contains(tenantId) => new AutoAcceptance(Version, $"{SelectedTenants}:{tenantId}"),
        _ => null,
    };

    public IReadOnlyList<object> Change(string mode, IReadOnlyList<string> tenantIds, DateTimeOffset now, string by)
    {
        var tenants = mode == SelectedTenants ? tenantIds.Distinct().Order().ToList() : [];
        return mode == Mode && tenants.SequenceEqual(TenantIds)
            ? []
            : [new AutoAcceptSettingChanged(Version + 1, mode, tenants, Mode, TenantIds, now, by)];
    }
}
