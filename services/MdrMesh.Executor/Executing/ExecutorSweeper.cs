using Marten;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Executor.Executing;

/// <summary>
/// Periodic work of the executor: lifts isolations whose term has ended (recording that on the
/// response that set them), and retries responses waiting for an unreachable asset.
/// Time comes from the injected clock.
/// </summary>
public sealed class ExecutorSweeper(IDocumentStore store, ExecutionRunner runner, TimeProvider clock, IOptions<ExecutorOptions> options,
    ILogger<ExecutorSweeper> log) : Sweeper(log)
{
    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override async Task SweepAsync(CancellationToken ct)
    {
        await ExpireIsolationsAsync(ct);
        await RetryWaitingAsync(ct);
    }

    private async Task ExpireIsolationsAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<FleetAsset> ending;
        await using (var query = store.QuerySession())
            ending = await query.Query<FleetAsset>().Where(a => a.AnyTenant() && a.IsolationEndsAt != null && a.IsolationEndsAt <= now).ToListAsync(ct);
        foreach (var asset in ending)
        {
            // One asset whose write conflicts (or fails) must not hold back the others: the next sweep retries it.
            try
            {
                await ExpireAsync(asset, now, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Lifting the isolation of asset {AssetId} failed; the next sweep retries", asset.Id);
            }
        }
    }

    // Read again in the tenant's session: the copy the sweep found may be stale, and the asset's version check guards the write.
    private Task ExpireAsync(FleetAsset asset, DateTimeOffset now, CancellationToken ct) =>
        store.WriteAsync(asset.TenantId, async session =>
        {
            var current = await session.LoadAsync<FleetAsset>(asset.Id, ct);
            if (current is null) return false;
            var (lifted, undone) = FleetRules.Expire(current, now);
            if (lifted == current) return false;
            session.Store(lifted);
            if (undone is not null)
                session.Events.Append(undone.ResponseId,
                    new ResponseUndone(undone.ResponseId, undone.IncidentId, asset.Id, null, undone.Reason, now, Executions.Actor));
            return true;
        }, ct);

    private async Task RetryWaitingAsync(CancellationToken ct)
    {
        IReadOnlyList<Execution> waiting;
        await using (var query = store.QuerySession())
            waiting = await query.Query<Execution>().Where(e => e.AnyTenant() && e.Status == ExecutionStatus.Waiting).ToListAsync(ct);
        foreach (var execution in waiting)
        {
            try
            {
                await runner.ContinueAsync(execution.TenantId, execution.Id, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Retrying execution {ExecutionId} failed; the next sweep retries", execution.Id);
            }
        }
    }
}
