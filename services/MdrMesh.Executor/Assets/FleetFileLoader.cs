using System.Text.Json;
using Marten;
using MdrMesh.Executor.Executing;
using MdrMesh.Executor.Fleet;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Executor.Assets;

/// <summary>
/// At start, registers the assets of the fleet file that the store does not have yet; known assets keep their state. Each
/// one's profile is announced in the same commit unless it was already (<see cref="AnnouncedProfile"/>).
/// </summary>
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
                // An asset listed twice: the last entry, as when each was stored in turn.
                foreach (var a in byTenant.GroupBy(a => a.AssetId).Select(same => same.Last()))
                {
                    var asset = await session.LoadAsync<FleetAsset>(a.AssetId!, ct);
                    if (asset is null)
                    {
                        asset = a.ToAsset(null, clock.GetUtcNow()) with { TenantId = byTenant.Key };
                        session.Store(asset);
                    }
                    // Known or new, the profile is announced once: an asset stored before profiles were announced gets its first one.
                    await AnnouncedProfile.AnnounceAsync(session, byTenant.Key, asset, clock.GetUtcNow(), ct);
                }
                return true;
            }, ct);
        }
        log.LogInformation("Fleet file {Path}: {Count} assets", path, assets.Count);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
