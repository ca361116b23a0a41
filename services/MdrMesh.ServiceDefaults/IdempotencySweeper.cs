using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Deletes the idempotency records older than <c>Idempotency:RememberFor</c> (default 24 h) every <c>Idempotency:SweepEvery</c>
/// (default 10 min): a key is remembered at least that long. Every instance sweeps; the delete is idempotent.
/// </summary>
public sealed class IdempotencySweeper(IDocumentStore store, IConfiguration configuration, TimeProvider clock, ILogger<IdempotencySweeper> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var rememberFor = configuration.GetValue("Idempotency:RememberFor", TimeSpan.FromHours(24));
        using var timer = new PeriodicTimer(configuration.GetValue("Idempotency:SweepEvery", TimeSpan.FromMinutes(10)), clock);
        while (await timer.NextTickAsync(stoppingToken))
        {
            try
            {
                await using var session = store.LightweightSession();
                var before = clock.GetUtcNow() - rememberFor;
                session.DeleteWhere<IdempotencyRecord>(r => r.CreatedAt < before);
                await session.SaveChangesAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The next tick tries again; a record kept longer only answers a late retry.
                log.LogWarning("Sweeping expired idempotency keys failed: {Error}", e.Message);
            }
        }
    }
}
