using System.Text.Json;
using Marten;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor.Fleet;

/// <summary>One asset of a fleet file (<c>Executor:FleetFile</c>), in snake_case.</summary>
public sealed record FleetFileAsset(string AssetId, string? TenantId, string HostName, string? Os, string? Status, List<FleetFileEntry>? Files);

public sealed record FleetFileEntry(string Path, long SizeBytes, string Sha256, string Md5);

/// <summary>At start, adds the assets of the fleet file that the store does not have yet; existing assets keep their state.</summary>
public sealed class FleetSeeder(IDocumentStore store, IConfiguration configuration, ILogger<FleetSeeder> log) : IHostedService
{
    public const string RootTenant = "root";

    public async Task StartAsync(CancellationToken ct)
    {
        if (configuration["Executor:FleetFile"] is not { Length: > 0 } path) return;
        var assets = JsonSerializer.Deserialize<List<FleetFileAsset>>(await File.ReadAllTextAsync(path, ct), ApiJson.Options) ?? [];
        foreach (var byTenant in assets.GroupBy(a => a.TenantId ?? RootTenant))
        {
            await using var session = store.LightweightSession(byTenant.Key);
            foreach (var a in byTenant)
            {
                if (await session.LoadAsync<FleetAsset>(a.AssetId, ct) is not null) continue;
                session.Store(new FleetAsset
                {
                    Id = a.AssetId, HostName = a.HostName, Os = a.Os ?? "Windows", Status = a.Status ?? "OK",
                    Files = (a.Files ?? []).ToDictionary(f => f.Path, f => new FleetFile(f.SizeBytes, f.Sha256, f.Md5), StringComparer.OrdinalIgnoreCase),
                });
            }
            await session.SaveChangesAsync(ct);
        }
        log.LogInformation("Fleet file {Path}: {Count} assets known", path, assets.Count);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
