using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace MdrMesh.Bench;

/// <summary>One time base for the whole run: seconds since the bench started, and server Unix ms converted to it.</summary>
public static class Clock
{
    private static readonly long Started = Stopwatch.GetTimestamp();
    private static readonly long StartedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static double Now => Stopwatch.GetElapsedTime(Started).TotalSeconds;
    public static long UnixMs(double runSeconds) => StartedUnixMs + (long)(runSeconds * 1000);
    public static double FromUnixMs(long unixMs) => (unixMs - StartedUnixMs) / 1000.0;
}

/// <summary>An asset of the demo fleet (deploy/fleet.json) and its smallest file, for GET_FILE.</summary>
public sealed record Asset(string Id, string Host, string FilePath, int FileSizeMb);

public static class Fleet
{
    public static IReadOnlyList<Asset> Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        // An OFFLINE asset runs nothing until it comes back: its responses would stay InProgress and measure nothing.
        var assets = doc.RootElement.EnumerateArray()
            .Where(a => !(a.TryGetProperty("status", out var s) && s.GetString() == "OFFLINE") && a.TryGetProperty("files", out var f) && f.GetArrayLength() > 0)
            .Select(a =>
            {
                var file = a.GetProperty("files").EnumerateArray().MinBy(f => f.GetProperty("size_bytes").GetInt64());
                var mb = (int)Math.Ceiling(file.GetProperty("size_bytes").GetInt64() / 1048576.0) + 1;
                return new Asset(a.GetProperty("asset_id").GetString()!, a.GetProperty("host_name").GetString()!, file.GetProperty("path").GetString()!, mb);
            }).ToList();
        return assets.Count > 0 ? assets : throw new BenchException($"no assets in {path}");
    }

    /// <summary>
    /// Registers <paramref name="count"/> online Windows assets (bench-0001, ...) with one small file each, as an outbreak
    /// spans many hosts: the executor runs one execution at a time per asset, so the demo fleet's four online assets
    /// would measure that rule rather than the pipeline. Registering again only refreshes them.
    /// </summary>
    public static async Task<IReadOnlyList<Asset>> RegisterAsync(Api api, int count)
    {
        var assets = Enumerable.Range(1, count).Select(i => new Asset($"bench-{i:D4}", $"BENCH-{i:D4}", @"C:\bench\sample.bin", 2)).ToList();
        await Parallel.ForEachAsync(assets, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (a, _) =>
        {
            var reply = await api.CallAsync("assets/register", new
            {
                asset_id = a.Id, host_name = a.Host, os = "Windows", os_version = "Windows 11", status = "OK",
                files = new[] { new { path = a.FilePath, size_bytes = 1048576, sha256 = new string('a', 64), md5 = new string('b', 32) } },
            }, true);
            if (!reply.Ok) throw new BenchException($"assets/register answered {reply.Status}: {reply.Body}");
        });
        return assets;
    }
}

/// <summary>One proposal as the bench saw it: when it was due, when its answer came, the answer.</summary>
public sealed record Sent(string? IncidentId, string? ResponseId, double DueAt, double DoneAt, int Status)
{
    public double LatencyMs => (DoneAt - DueAt) * 1000;
}

/// <summary>
/// Incidents and responses of one scenario. Incident n names five consecutive assets of the fleet, from 5n on (wrapping
/// around; all of them if the fleet is smaller), and its response slot i acts on the i-th of them.
/// </summary>
public sealed class Workload(Api api, IReadOnlyList<Asset> fleet, string name)
{
    public string Name { get; } = name;
    public double CreatedAt { get; } = Clock.Now;
    public ConcurrentQueue<Sent> Proposals { get; } = new();
    public ConcurrentQueue<double> IncidentCreateMs { get; } = new();
    public int IncidentsCreated;
    private long serial;
    private readonly ConcurrentDictionary<string, int> _firstAsset = new();

    private const int AssetsPerIncident = 5;

    private IEnumerable<Asset> AssetsOf(int first) =>
        Enumerable.Range(0, Math.Min(AssetsPerIncident, fleet.Count)).Select(i => fleet[(first + i) % fleet.Count]);

    public async Task<string?> CreateIncidentAsync(bool retryTooMany, string priority = "HIGH")
    {
        var n = Interlocked.Increment(ref serial);
        var first = (int)(n * AssetsPerIncident % fleet.Count);
        var reply = await api.CallAsync("incidents/create", new
        {
            summary = $"Bench {Name} {n}",
            priority,
            affected_hosts = AssetsOf(first).Select(a => $"{a.Host}:{a.Id}").ToArray(),
        }, retryTooMany, idempotencyKey: Guid.NewGuid().ToString());
        IncidentCreateMs.Enqueue(reply.Ms);
        var id = reply.Text("incident_id");
        if (id is not null)
        {
            _firstAsset[id] = first;
            Interlocked.Increment(ref IncidentsCreated);
        }
        return id;
    }

    /// <summary>Proposes response <paramref name="slot"/> of an incident; latency counts from <paramref name="dueAt"/>.</summary>
    public async Task ProposeAsync(Task<string?> incident, int slot, double dueAt, bool isolateOnly = false, bool retryTooMany = false)
    {
        var incidentId = await incident;
        if (incidentId is null)
        {
            Proposals.Enqueue(new Sent(null, null, dueAt, Clock.Now, -1));
            return;
        }
        var asset = AssetsOf(_firstAsset[incidentId]).ElementAt(slot % Math.Min(AssetsPerIncident, fleet.Count));
        // Three isolations and two file fetches per five: the two kinds of execution the executor does most.
        object body = isolateOnly || slot % 2 == 0
            ? new { incident_id = incidentId, asset_id = asset.Id, type = "ISOLATE", parameters = new { isolation_term_seconds = 600 } }
            : new { incident_id = incidentId, asset_id = asset.Id, type = "GET_FILE", parameters = new { path = asset.FilePath, max_file_size_mb = asset.FileSizeMb } };
        // One key per intended proposal: a failure is retried with it, so the proposal is made at most once.
        var reply = await api.CallAsync("responses/create", body, retryTooMany, idempotencyKey: Guid.NewGuid().ToString());
        Proposals.Enqueue(new Sent(incidentId, reply.Text("response_id"), dueAt, Clock.Now, reply.Status));
    }
}
