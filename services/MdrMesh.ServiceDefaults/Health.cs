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

    public static void Map(WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready) });
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
