using Marten;
using MdrMesh.Approvals.Deciding;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Approvals.DecisionDeadline;

/// <summary>Declines responses still waiting when their tenant's deadline has passed. Time comes from the injected clock.</summary>
public sealed class DeadlineSweeper(IDocumentStore store, TimeProvider clock, IOptions<ApprovalsOptions> options, ILogger<DeadlineSweeper> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A real-time timer: sweeps are frequent and cheap; what is overdue is decided by the clock.
        using var timer = new PeriodicTimer(options.Value.DeadlineSweepInterval);
        while (await timer.NextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Deadline sweep failed; the next one retries");
            }
        }
    }


    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<Decision> overdue;
        await using (var query = store.QuerySession())
            overdue = await query.Query<Decision>()
                .Where(d => d.AnyTenant() && d.Status == DecisionStatus.New && d.Deadline <= now)
                .ToListAsync(ct);

        var declined = 0;
        var command = new Expire(now);
        foreach (var decision in overdue)
        {
            // Each response alone: one decided meanwhile (by a person, a closed incident) is decided again and expires nothing.
            var expired = await store.WriteAsync(decision.TenantId, async session =>
                (await session.Events.FetchForWriting<Decision>(decision.Id, ct)).Decide(command, Decisions.Decide, Decision.Evolve), ct);
            if (expired.Events.Count == 0) continue;
            ApprovalMetrics.Committed(expired.Before, expired.Events);
            declined++;
        }
        return declined;
    }
}
