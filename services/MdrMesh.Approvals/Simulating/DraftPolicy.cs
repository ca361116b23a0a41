using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;

namespace MdrMesh.Approvals.Simulating;

/// <summary>
/// A policy a tenant might have, in the very states the live decider reads: its switch (<see cref="Setting"/>) and its
/// rules (<see cref="Rules"/>, null: none). Both are built by the deciders and folds that build the real ones, so what
/// the simulation decides with them is what the live path would have decided.
/// </summary>
public sealed record DraftPolicy(string TenantId, AutoAcceptSetting Setting, AutoAcceptRules? Rules)
{
    /// <summary>The guard the replay starts with: the draft's setting (or the tenant's), nothing counted yet.</summary>
    public BlastRadiusGuard Guard { get; init; } = BlastRadiusGuard.Initial(TenantId);

    /// <summary>The tenant's own mode, whatever the installation default: accept what no rule decides, or leave it for a person.</summary>
    public const string On = "ON";
    public const string Off = "OFF";
    public static readonly IReadOnlyList<string> Modes = [On, Off];

    public static DraftPolicy Of(string tenantId, string mode, IReadOnlyList<AutoAcceptRule> rules, string timeZone, DateTimeOffset at, string by,
        string byId)
    {
        // The switch as auto_accept/set would turn it for a connection over this tenant alone; OFF turns nothing: no switch is off.
        var turn = new SetAutoAccept(mode == On ? AutoAcceptSetting.AllTenants : AutoAcceptSetting.Disabled, [], new HashSet<string> { tenantId },
            at, by, byId);
        var setting = AutoAcceptSetting.Decide(turn, AutoAcceptSetting.Initial).Aggregate(AutoAcceptSetting.Initial, AutoAcceptSetting.Evolve);
        var ruleSet = AutoAcceptRules.Decide(new ReplaceRules(tenantId, rules, at, by, byId, timeZone), null)
            .Aggregate((AutoAcceptRules?)null, AutoAcceptRules.Evolve);
        return new(tenantId, setting, ruleSet);
    }
}
