using System.Text.Json;
using Marten;
using MdrMesh.Executor.Executing;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Executor.Assets;

/// <summary>At start, registers the assets of the fleet file that the store does not have yet; known assets keep their state.</summary>
public sealed class FleetFileLoader(IDocumentStore store, TimeProvider clock, IOptions<ExecutorOptions> options, ILogger<FleetFileLoader> log)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (options.Value.FleetFile is not { Length: > 0 } path) return;
        var assets = JsonSerializer.Deserialize<List<AssetRegistration>>(await File.ReadAllTextAsync(path, ct), ApiJson.Options) ?? [];
        var invalid = assets.SelectMany((a, i) => a.Validate().Select(e => $"[{i}].{e.Field}: {e.Rule}")).ToList();
        if (invalid.Count > 0) throw new InvalidOperationException($"The fleet file {path} is not valid: {string.Join("; ", invalid)}");
        foreach (var byTenant in assets.GroupBy(a => a.TenantId ?? RootTenant.Id))
        {
            // An asset registered meanwhile (another replica, assets/register) makes the load look again and keep that one.
            await store.WriteAsync(byTenant.Key, async session =>
            {
                foreach (var a in byTenant)
                    if (await session.LoadAsync<FleetAsset>(a.AssetId!, ct) is null)
                        session.Store(a.ToAsset(null, clock.GetUtcNow()) with { TenantId = byTenant.Key });
                return true;
            }, ct);
        }
        log.LogInformation("Fleet file {Path}: {Count} assets", path, assets.Count);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
