using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Probes for an orchestrator: <c>/health/live</c> answers while the process serves requests (restart it
/// when it does not); <c>/health/ready</c> only when what it depends on answers too (its database, its
/// broker connection; the gateway: the services behind it), so no traffic is sent to it before.
/// <c>/health</c> stays the readiness probe it always was.
/// </summary>
public static class Health
{
    /// <summary>The tag of the checks readiness runs (MassTransit tags its bus check the same).</summary>
    public const string Ready = "ready";

    /// <summary>The tag of the checks liveness runs: only what a restart of the process would cure.</summary>
    public const string Live = "live";

    public static void Map(WebApplication app)
    {
        var readiness = new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) };
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Live) });
        app.MapHealthChecks("/health/ready", readiness);
        app.MapHealthChecks("/health", readiness);
    }
}

/// <summary>Ready only while the service's database answers a query within the probe's time.</summary>
public sealed class DatabaseHealthCheck(IDocumentStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            await using var query = store.QuerySession();
            await query.QueryAsync<int>("select 1", timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception failed) when (failed is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The exception's type only: a message could carry a connection string.
            return HealthCheckResult.Unhealthy($"the database does not answer ({failed.GetType().Name})");
        }
    }
}

/// <summary>
/// The relay. Unhealthy (503) once the watchdog has seen this instance's relay stuck (behind, not advancing, broker
/// connected) for <c>Relay:StuckAfter</c>. Otherwise degraded (still 200, so traffic keeps coming: the API is right, its
/// messages are late) while the oldest committed event it has not published is older than <c>Health:RelayBehind</c>
/// (default a minute), as when the broker is down or the relay runs in another instance.
/// </summary>
public sealed class RelayHealthCheck(IDocumentStore store, Microsoft.Extensions.Configuration.IConfiguration configuration,
    RelaySettings settings, RelayState state) : IHealthCheck
{
    private readonly TimeSpan _behind = Microsoft.Extensions.Configuration.ConfigurationBinder.GetValue(configuration, "Health:RelayBehind", TimeSpan.FromMinutes(1));

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var stuck = state.StuckFor;
        if (stuck >= settings.StuckAfter)
            return HealthCheckResult.Unhealthy($"the relay has not advanced for {stuck.TotalSeconds:F0} s while the broker is connected");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            var lag = await SampledGauges.RelayLag(store.Options.DatabaseSchemaName).Sample(store, timeout.Token) ?? 0;
            return lag > _behind.TotalSeconds
                ? HealthCheckResult.Degraded($"the relay is {lag:F0} s behind: its messages are late")
                : HealthCheckResult.Healthy();
        }
        catch (Exception failed) when (failed is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The database check reports the database itself; here its absence only means the lag is unknown.
            return HealthCheckResult.Degraded($"the relay's lag is unknown ({failed.GetType().Name})");
        }
    }
}

/// <summary>Live until the relay has been stuck for twice <c>Relay:StuckAfter</c>: then a restart of the process is the cure.</summary>
public sealed class RelayLivenessCheck(RelaySettings settings, RelayState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var stuck = state.StuckFor;
        return Task.FromResult(stuck >= settings.LiveFor
            ? HealthCheckResult.Unhealthy($"the relay has not advanced for {stuck.TotalSeconds:F0} s, a restart of its subscription did not help")
            : HealthCheckResult.Healthy());
    }
}
