using System.Diagnostics.Metrics;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MdrMesh.ServiceDefaults;

/// <summary>A gauge whose value comes from the database; <see cref="Sample"/> answers null when there is nothing to report.</summary>
public sealed record SampledGauge(string Name, string Unit, string Description, Func<IDocumentStore, CancellationToken, Task<double?>> Sample);

/// <summary>
/// Samples the service's gauges every few seconds in the background, so a scrape never waits on a
/// query and a slow database costs a stale value, not a hung <c>/metrics</c>. Each series is tagged
/// with the service (its schema), as several services can share a process in tests.
/// </summary>
public sealed class GaugeSampler : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly IDocumentStore _store;
    private readonly ILogger<GaugeSampler> _log;
    private readonly SampledGauge[] _gauges;
    private readonly double?[] _values;
    private readonly KeyValuePair<string, object?> _service;
    // The host's own meter (not a static one): its gauges go away with the host.
    private readonly Meter _meter;

    public GaugeSampler(IDocumentStore store, ILogger<GaugeSampler> log, IEnumerable<SampledGauge> gauges, IMeterFactory meters)
    {
        _meter = meters.Create(Telemetry.Name);
        _store = store;
        _log = log;
        _gauges = gauges.ToArray();
        _values = new double?[_gauges.Length];
        _service = new("service", store.Options.DatabaseSchemaName);
        for (var i = 0; i < _gauges.Length; i++)
        {
            var index = i;
            _meter.CreateObservableGauge(_gauges[i].Name,
                () => _values[index] is { } value ? [new Measurement<double>(value, _service)] : Array.Empty<Measurement<double>>(),
                _gauges[i].Unit, _gauges[i].Description);
        }
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            for (var i = 0; i < _gauges.Length; i++)
            {
                try
                {
                    _values[i] = await _gauges[i].Sample(_store, stoppingToken);
                }
                catch (Exception failed) when (!stoppingToken.IsCancellationRequested)
                {
                    // A gauge that cannot be read reports nothing rather than a stale number.
                    _values[i] = null;
                    _log.LogDebug("Gauge {Gauge} not sampled: {Error}", _gauges[i].Name, failed.GetType().Name);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        } while (await timer.NextTickAsync(stoppingToken));
    }
}

public static class SampledGauges
{
    public static void AddSampledGauge(this IServiceCollection services, SampledGauge gauge)
    {
        services.AddSingleton(gauge);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GaugeSampler>());
    }

    /// <summary>
    /// How far the relay is behind: the age of the oldest committed event it has not yet passed
    /// (0 when it is caught up). A relay that stopped shows as a lag that keeps growing.
    /// </summary>
    public static SampledGauge RelayLag(string schema) => new("mdrmesh.relay.lag", "s",
        "Age of the oldest committed event the relay has not published yet (0: caught up).",
        async (store, ct) =>
        {
            await using var query = store.QuerySession();
            var sql = $"select coalesce(extract(epoch from now() - (select e.timestamp from {schema}.mt_events e"
                      + $" where e.seq_id > coalesce((select max(p.last_seq_id) from {schema}.mt_event_progression p where p.name like '{MessageRelay.RelayName}%'), 0)"
                      + " order by e.seq_id limit 1)), 0)::float8";
            return (await query.AdvancedSql.QueryAsync<double>(sql, ct)).Single();
        });
}
