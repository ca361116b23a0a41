using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway;

/// <summary>The gateway is healthy when the services it forwards to are.</summary>
public sealed class ServicesHealthCheck(IHttpClientFactory clients) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken ct = default)
    {
        var down = new List<string>();
        foreach (var service in ApiMethods.Forwarded)
        {
            try
            {
                using var response = await clients.CreateClient(service).GetAsync("health", ct);
                if (!response.IsSuccessStatusCode) down.Add(service);
            }
            catch (HttpRequestException)
            {
                down.Add(service);
            }
        }
        return down.Count == 0
            ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy()
            : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy($"Not answering: {string.Join(", ", down)}");
    }
}
