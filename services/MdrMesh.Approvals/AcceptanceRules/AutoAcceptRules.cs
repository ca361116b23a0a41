using MdrMesh.Approvals.AutoAcceptPolicy;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// A tenant's auto-accept policy of ordered rules: a stream of its own in the tenant's scope, and this document
/// (inline snapshot) that the proposal consumer reads in its one batch. The version is the stream's.
/// </summary>
public sealed record AutoAcceptRules
{
    /// <summary>At most this many rules per tenant: each proposal walks them, and a person must be able to read them.</summary>
    public const int MaxRules = 100;

    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public long Version { get; init; }
    public IReadOnlyList<AutoAcceptRule> Rules { get; init; } = [];
    public DateTimeOffset? ChangedAt { get; init; }
    public string? ChangedBy { get; init; }
    public string? ChangedById { get; init; }
    /// <summary>The tenant's time zone (IANA name), in which its rules' time windows are read.</summary>
    public string TimeZone { get; init; } = TenantTimeZone.Utc;

    /// <summary>The stream id of a tenant's rules, derived from the tenant (and apart from its switch's).</summary>
    public static Guid StreamIdOf(string tenantId) => NameBasedId.Of($"mdrmesh/auto-accept-rules/{tenantId}");

    public static AutoAcceptRules Create(AutoAcceptRulesSet e) => new AutoAcceptRules { Id = StreamIdOf(e.TenantId), TenantId = e.TenantId }.Apply(e);

    public AutoAcceptRules Apply(AutoAcceptRulesSet e) => this with
    {
        Version = e.Version, Rules = e.Rules, ChangedAt = e.At, ChangedBy = e.By, ChangedById = e.ById,
        TimeZone = e.TimeZone ?? TenantTimeZone.Utc,
    };

    /// <summary>
    /// The policy's decision on a proposal: the first rule that matches decides (its number and action);
    /// null when none matches, and the tenant's auto-accept mode decides as before rules existed. Time windows are read in
    /// the tenant's <paramref name="timeZone"/>.
    /// </summary>
    public static RuleMatch? FirstMatch(IReadOnlyList<AutoAcceptRule> rules, ProposalFacts facts, string timeZone = TenantTimeZone.Utc)
    {
        var zone = TenantTimeZone.Find(timeZone);
        for (var i = 0; i < rules.Count; i++)
            if (rules[i].Matches(facts, zone))
                return new RuleMatch(i + 1, rules[i].Name, rules[i].Action);
        return null;
    }

    /// <summary>
    /// <c>auto_accept/rules/set</c> as a decision: the whole ordered list replaces the current one, as the next
    /// version. Nothing when the list and the time zone are the current ones: nothing changed, so no new version.
    /// </summary>
    public static IReadOnlyList<object> Decide(ReplaceRules command, AutoAcceptRules? current)
    {
        var before = current?.Rules ?? [];
        if (before.Count == command.Rules.Count && before.Zip(command.Rules).All(p => p.First.SameAs(p.Second))
            && (current?.TimeZone ?? TenantTimeZone.Utc) == command.TimeZone) return [];
        return [new AutoAcceptRulesSet(command.TenantId, (current?.Version ?? 0) + 1, command.Rules, before, command.At, command.By, command.ById,
            command.TimeZone)];
    }

    /// <summary>The decider's fold: the same step as Create/Apply, which Marten's inline snapshot calls.</summary>
    // Ignored by Marten's source generator, which otherwise takes a method named Evolve for the snapshot's own (one-argument) fold.
    [JasperFx.Core.JasperFxIgnore]
    public static AutoAcceptRules? Evolve(AutoAcceptRules? current, object e) => e switch
    {
        AutoAcceptRulesSet set => current?.Apply(set) ?? Create(set),
        _ => current,
    };
}

/// <summary>
/// <c>auto_accept/rules/set</c>: a tenant's whole ordered list of rules and its time zone, by connection <see cref="ById"/>.
/// </summary>
public sealed record ReplaceRules(string TenantId, IReadOnlyList<AutoAcceptRule> Rules, DateTimeOffset At, string By, string ById,
    string TimeZone = TenantTimeZone.Utc);
