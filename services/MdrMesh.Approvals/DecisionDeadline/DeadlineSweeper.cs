using Marten;
using MdrMesh.Approvals.Deciding;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Approvals.DecisionDeadline;

/// <summary>Declines responses still waiting when their tenant's deadline has passed. Time comes from the injected clock.</summary>
public sealed class DeadlineSweeper(IDocumentStore store, TimeProvider clock, IOptions<ApprovalsOptions> options, ILogger<DeadlineSweeper> log)
    : Sweeper(log)
{
    protected override TimeSpan Interval => options.Value.DeadlineSweepInterval;

    protected override async Task SweepAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<Decision> overdue;
        await using (var query = store.QuerySession())
            overdue = await query.Query<Decision>()
                .Where(d => d.AnyTenant() && d.Status == DecisionStatus.New && d.Deadline <= now)
                .ToListAsync(ct);

        var command = new Expire(now);
        foreach (var decision in overdue)
        {
            // Each response alone: one decided meanwhile (by a person, a closed incident) is decided again and expires nothing.
            var expired = await store.WriteAsync(decision.TenantId, async session =>
                (await session.Events.FetchForWriting<Decision>(decision.Id, ct)).Decide(command, Decisions.Decide, Decision.Evolve), ct);
            ApprovalMetrics.Committed(expired.Before, expired.Events);
        }
    }
}
