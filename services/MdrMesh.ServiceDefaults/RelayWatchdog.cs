using JasperFx.Events.Daemon;
using Marten;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Relay settings (section <c>Relay</c>). <c>PublishTimeout</c> bounds one publish (default 10 s); <c>StuckAfter</c>
/// (default 30 s) is how long a relay may stay behind without advancing, while the broker is connected, before the
/// watchdog restarts its subscription and readiness fails; at twice that, liveness fails; if it has not moved
/// <c>StuckAfter</c> after the restart, the process stops so that its restart policy starts it again.
/// </summary>
public sealed record RelaySettings(TimeSpan PublishTimeout, TimeSpan StuckAfter)
{
    public static RelaySettings From(IConfiguration configuration) => new(
        configuration.GetValue("Relay:PublishTimeout", TimeSpan.FromSeconds(10)),
        configuration.GetValue("Relay:StuckAfter", TimeSpan.FromSeconds(30)));

    public TimeSpan LiveFor => StuckAfter * 2;
}

/// <summary>
/// What the watchdog last saw of this instance's relay: stuck since when (null: moving, caught up, or not run here).
/// Real time, not the services' injectable clock: a hang is measured by the wall clock whatever tests do with business time.
/// </summary>
public sealed class RelayState
{
    public DateTimeOffset? StuckSince { get; set; }

    public static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    public TimeSpan StuckFor => StuckSince is { } since ? Now - since : TimeSpan.Zero;
}

/// <summary>
/// Notices a relay that has committed events to publish but has not advanced for <see cref="RelaySettings.StuckAfter"/>
/// while the broker is connected (a publish that never returned, a page that never ended), and restarts its
/// subscription through the daemon, which resumes from the last saved position (publishing again is safe:
/// message id = event id, consumers drop repeats). If that does not move it either, the process stops, and
/// the container's restart policy starts it again: a person is never needed to unstick it.
/// Only the instance whose daemon runs the relay acts; a broker that is down is not the relay's fault.
/// </summary>
public sealed class RelayWatchdog(IDocumentStore store, Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, IBusControl bus, RelaySettings settings,
    RelayState state, IHostApplicationLifetime lifetime, ILogger<RelayWatchdog> log) : BackgroundService
{
    private long _lastPosition = -1;
    private DateTimeOffset? _restartedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromTicks(Math.Clamp(settings.StuckAfter.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(interval);
        while (await timer.NextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(stoppingToken);
            }
            catch (Exception failed) when (!stoppingToken.IsCancellationRequested)
            {
                // The database may be restarting: nothing is known, so nothing is blamed on the relay.
                log.LogWarning("The relay watchdog could not check the relay ({Error}); it tries again", failed.GetType().Name);
            }
        }
    }

    private async Task CheckAsync(CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        var agent = daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity.StartsWith(MessageRelay.RelayName, StringComparison.Ordinal));
        var (position, highest) = await ProgressAsync(ct);
        var now = RelayState.Now;
        var moving = position != _lastPosition || position >= highest;
        _lastPosition = position;
        // No agent here: another instance runs the relay, unless this watchdog stopped it and it never came back.
        if ((agent is null && _restartedAt is null) || moving || bus.CheckHealth().Status == BusHealthStatus.Unhealthy)
        {
            if (state.StuckSince is not null && moving) log.LogInformation("The relay moves again (position {Position})", position);
            state.StuckSince = null;
            _restartedAt = null;
            return;
        }

        state.StuckSince ??= now;
        var stuckFor = state.StuckFor;
        if (_restartedAt is { } restarted)
        {
            // The restarted subscription had its chance: a process of its own is the last resort.
            if (now - restarted < settings.StuckAfter || lifetime.ApplicationStopping.IsCancellationRequested) return;
            log.LogCritical("The relay has not advanced for {Seconds:F0} s (position {Position}, events up to {Highest}), not even after its subscription was restarted; stopping the process so that it is started again",
                stuckFor.TotalSeconds, position, highest);
            lifetime.StopApplication();
            return;
        }
        if (stuckFor < settings.StuckAfter) return;

        RelayMetrics.Restarted(store.Options.DatabaseSchemaName);
        log.LogWarning("The relay has not advanced for {Seconds:F0} s (position {Position}, events up to {Highest}) while the broker is connected; restarting its subscription",
            stuckFor.TotalSeconds, position, highest);
        // The daemon gives a page in flight a few seconds to drain before it drops it (StopAndDrainTimeout, 5 s).
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            var shard = agent!.Name.Identity;
            await daemon.StopAgentAsync(shard).WaitAsync(bounded.Token);
            await daemon.StartAgentAsync(shard, bounded.Token);
        }
        finally
        {
            _restartedAt = RelayState.Now;
        }
    }

    /// <summary>The relay's saved position and the highest committed event of the store.</summary>
    private async Task<(long Position, long Highest)> ProgressAsync(CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var query = store.QuerySession();
        var position = await query.AdvancedSql.QueryAsync<long>(
            $"select coalesce(max(last_seq_id), 0) from {schema}.mt_event_progression where name like '{MessageRelay.RelayName}%'", ct);
        var highest = await query.AdvancedSql.QueryAsync<long>($"select coalesce(max(seq_id), 0) from {schema}.mt_events", ct);
        return (position.Single(), highest.Single());
    }
}

public static class RelayMetrics
{
    private static readonly System.Diagnostics.Metrics.Counter<long> Restarts = Telemetry.Meter.CreateCounter<long>(
        "mdrmesh.relay.restarts", description: "Relay subscriptions the watchdog restarted because they stopped advancing.");

    public static void Restarted(string service) => Restarts.Add(1, new KeyValuePair<string, object?>("service", service));
}
