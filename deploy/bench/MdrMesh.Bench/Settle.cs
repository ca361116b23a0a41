using System.Collections.Concurrent;
using System.Text.Json;

namespace MdrMesh.Bench;

/// <summary>A response's life by the server's own clock: its proposal and its first terminal status (Unix ms).</summary>
public sealed record Outcome(string ResponseId, long ProposedMs, long? TerminalMs, string? Status)
{
    public double? LatencyMs => TerminalMs - ProposedMs;
}

/// <summary>Waits until a scenario's accepted responses are terminal, then reads their times from the incidents' history.</summary>
public static class Settle
{
    public static readonly HashSet<string> Terminal = ["Completed", "Failed", "Declined"];
    // History is read once, after the wait, as fast as it comes; polling during the wait stays light, so
    // that the bench's own calls take little from the system it measures.
    private const int Parallel = 16;
    private const int PollParallel = 2;
    private static readonly string[] Unfinished = ["New", "Confirmed", "InProgress"];

    /// <summary>Polls responses/list of the incidents still unfinished until none is or the deadline passes; returns how many are still unfinished.</summary>
    public static async Task<int> WaitAsync(Api api, Workload work, double deadlineSeconds)
    {
        var expected = work.Proposals.Where(p => p.ResponseId is not null).GroupBy(p => p.IncidentId!)
            .ToDictionary(g => g.Key, g => g.Select(p => p.ResponseId!).ToHashSet());
        var pending = new ConcurrentDictionary<string, HashSet<string>>(expected);
        var deadline = Clock.Now + deadlineSeconds;
        // One call a second while any incident raised since the scenario began has an unfinished response;
        // then each incident is checked, since another client's incidents may be counted as well.
        while (Clock.Now < deadline)
        {
            var count = await api.CallAsync("incidents/count",
                new { response_statuses = Unfinished, min_creation_time = Clock.UnixMs(work.CreatedAt) }, true);
            if (!count.Ok || !count.Body.TryGetProperty("count", out var n) || n.GetInt64() == 0) break;
            await Task.Delay(1000);
        }
        while (!pending.IsEmpty && Clock.Now < deadline)
        {
            await System.Threading.Tasks.Parallel.ForEachAsync(pending.Keys.ToList(), new ParallelOptions { MaxDegreeOfParallelism = PollParallel },
                async (incident, _) =>
                {
                    var reply = await api.CallAsync("responses/list",
                        new { incident_id = incident, fields = new[] { "response_id", "status" }, page_size = 1000 }, true);
                    if (!reply.Ok || reply.Body.ValueKind != JsonValueKind.Array) return;
                    var done = reply.Body.EnumerateArray().Where(r => Terminal.Contains(Str(r, "status") ?? ""))
                        .Select(r => Str(r, "response_id")).ToHashSet();
                    pending[incident].RemoveWhere(done.Contains);
                    if (pending[incident].Count == 0) pending.TryRemove(incident, out HashSet<string>? _);
                });
            if (!pending.IsEmpty) await Task.Delay(1000);
        }
        if (Clock.Now >= deadline) Console.Error.WriteLine($"{work.Name}: not every response was terminal within the deadline ({deadlineSeconds} s)");
        return pending.Values.Sum(responses => responses.Count);
    }

    /// <summary>Each accepted response's proposal and first terminal time, from incidents/history.</summary>
    public static async Task<List<Outcome>> OutcomesAsync(Api api, Workload work)
    {
        var mine = work.Proposals.Where(p => p.ResponseId is not null).Select(p => p.ResponseId!).ToHashSet();
        var incidents = work.Proposals.Where(p => p.ResponseId is not null).Select(p => p.IncidentId!).Distinct().ToList();
        var outcomes = new ConcurrentBag<Outcome>();
        await System.Threading.Tasks.Parallel.ForEachAsync(incidents, new ParallelOptions { MaxDegreeOfParallelism = Parallel }, async (incident, _) =>
        {
            var proposed = new Dictionary<string, long>();
            var terminal = new Dictionary<string, (long, string)>();
            for (var page = 1; ; page++)
            {
                var reply = await api.CallAsync("incidents/history", new { incident_id = incident, page, page_size = 1000 }, true);
                if (!reply.Ok || reply.Body.ValueKind != JsonValueKind.Array) throw new BenchException($"incidents/history answered {reply.Status}");
                foreach (var record in reply.Body.EnumerateArray())
                {
                    if (!record.GetProperty("entity").TryGetProperty("incident_response", out var response)) continue;
                    var id = Str(response, "response_id");
                    var at = record.GetProperty("changed_at").GetInt64();
                    if (id is null) continue;
                    var status = Str(response, "status") ?? "";
                    proposed.TryAdd(id, at);
                    if (Terminal.Contains(status)) terminal.TryAdd(id, (at, status));
                }
                if (reply.Body.GetArrayLength() < 1000) break;
            }
            foreach (var (id, at) in proposed.Where(p => mine.Contains(p.Key)))
                outcomes.Add(terminal.TryGetValue(id, out var t) ? new Outcome(id, at, t.Item1, t.Item2) : new Outcome(id, at, null, null));
        });
        return outcomes.ToList();
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
