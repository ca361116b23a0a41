namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// A tenant's ordered auto-accept rules replaced as a whole: who (name and connection id), when, the rules
/// before and after. <see cref="Version"/> is the policy's version after the change, counting from 1. <see cref="TimeZone"/>:
/// the tenant's time zone from this version on (UTC in changes recorded before it was kept).
/// </summary>
public sealed record AutoAcceptRulesSet(
    string TenantId,
    long Version,
    IReadOnlyList<AutoAcceptRule> Rules,
    IReadOnlyList<AutoAcceptRule> PreviousRules,
    DateTimeOffset At,
    string By,
    string ById,
    string TimeZone = TenantTimeZone.Utc);
