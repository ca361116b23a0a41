using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Periodic work in the background: a round every <see cref="Interval"/> of real time (what is due is decided by the
/// injected clock); a round that fails is logged and the next one tries again. Every instance of a service sweeps, so a
/// round must be safe beside another instance's.
/// </summary>
public abstract class Sweeper(ILogger log) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    protected abstract Task SweepAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.NextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "{Sweeper} round failed; the next one retries", GetType().Name);
            }
        }
    }
}
