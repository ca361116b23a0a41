namespace MdrMesh.Approvals;

/// <summary>Configuration section <c>Approvals</c>.</summary>
public sealed class ApprovalsOptions
{
    /// <summary>How long a response may wait for a decision before it is declined (default 7 days).</summary>
    public TimeSpan DecisionDeadline { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Per-tenant deadlines that replace the default, by tenant id.</summary>
    public Dictionary<string, TimeSpan> TenantDecisionDeadlines { get; set; } = [];

    /// <summary>How often overdue responses are looked for.</summary>
    public TimeSpan DeadlineSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Separation of duties: when true, the connection that proposed a response may not decide it
    /// (409). Off by default, as a SOC that also decides for its customers would otherwise be locked out.
    /// </summary>
    public bool RequireSeparateDecider { get; set; }

    public TimeSpan DeadlineFor(string tenantId) => TenantDecisionDeadlines.GetValueOrDefault(tenantId, DecisionDeadline);
}
