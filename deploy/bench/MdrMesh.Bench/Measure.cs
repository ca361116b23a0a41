using System.Text.Json.Serialization;

namespace MdrMesh.Bench;

/// <summary>p50/p95/p99/max by nearest rank, in ms.</summary>
public sealed record Percentiles(int N, double P50, double P95, double P99, double Max)
{
    public static Percentiles? Of(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return null;
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, At(0.50), At(0.95), At(0.99), sorted[^1]);
    }
}

public sealed record ContainerUse(double MaxMemoryMb, double MeanCpuPercent, int Samples);

/// <summary>What one scenario measured; times are seconds since the bench started unless named Ms.</summary>
public sealed class ScenarioResult
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public double StartedAt { get; init; }
    public double? LoadEndedAt { get; set; }
    public double EndedAt { get; set; }
    public int Offered { get; set; }
    public int Accepted { get; set; }
    public int Terminal { get; set; }
    public int Completed { get; set; }
    public int Failed { get; set; }
    public int Declined { get; set; }
    public double OfferedPerS { get; set; }
    public double AcceptedPerS { get; set; }
    public double TerminalPerS { get; set; }
    public Percentiles? ApiMs { get; set; }
    public Percentiles? ProposalToTerminalMs { get; set; }
    public Percentiles? IncidentCreateMs { get; set; }
    public double? UnfinishedAfterSeconds { get; set; }
    public int? UnfinishedAfter { get; set; }
    public double? OutbreakSeconds { get; set; }
    public Dictionary<string, Percentiles?>? Reads { get; set; }
    /// <summary>Open loop: an incident's commit → its notification delivered (e-mail), by the server's clock.</summary>
    public Percentiles? NotificationMs { get; set; }
    /// <summary>The first part of it: the event's commit → its delivery recorded by the notifications service.</summary>
    public Percentiles? NotificationRecordedMs { get; set; }
    public int? NotificationsDelivered { get; set; }
    public int? NotificationsRecorded { get; set; }
    public Counts Counts { get; set; } = new();
    public Dictionary<string, ContainerUse> Containers { get; set; } = [];
    /// <summary>With --profile: what PostgreSQL did per accepted response.</summary>
    public DatabaseProfile? Database { get; set; }
    public List<string> Notes { get; } = [];
    [JsonIgnore] public List<Sent> Sent { get; set; } = [];
    [JsonIgnore] public List<Outcome> Outcomes { get; set; } = [];
}

public static class Measure
{
    /// <summary>Waits for the scenario's responses to settle, reads their server times and sums the scenario up.</summary>
    public static async Task<ScenarioResult> LoadAsync(Api api, Workload work, string kind, double start, double loadEnd, Options options,
        Profile.Snapshot? profile)
    {
        var counts = api.Counts;
        // Polling and history reads are the bench's own calls, not the load: counted apart.
        api.Counts = new Counts();
        var sent = work.Proposals.ToList();
        await Settle.WaitAsync(api, work, options.Deadline);
        var accepted = sent.Where(s => s.Status is >= 200 and < 300 && s.ResponseId is not null).ToList();
        // Before the history is read: the bench's own reads of it are not the pipeline's cost.
        var database = profile is null ? null : await Profile.EndAsync(options, profile, accepted.Count);
        var outcomes = await Settle.OutcomesAsync(api, work);
        var seconds = Math.Max(loadEnd - start, 1e-3);
        var done = outcomes.Where(o => o.TerminalMs is not null).ToList();
        var cutoff = Clock.UnixMs(loadEnd + options.UnfinishedAfter);
        var result = new ScenarioResult
        {
            Name = work.Name, Kind = kind, StartedAt = start, LoadEndedAt = loadEnd, EndedAt = Clock.Now, Counts = counts,
            Sent = sent, Outcomes = outcomes,
            Offered = sent.Count, Accepted = accepted.Count, Terminal = done.Count,
            Completed = done.Count(o => o.Status == "Completed"), Failed = done.Count(o => o.Status == "Failed"),
            Declined = done.Count(o => o.Status == "Declined"),
            OfferedPerS = sent.Count / seconds, AcceptedPerS = accepted.Count / seconds,
            ApiMs = Percentiles.Of(accepted.Select(s => s.LatencyMs)),
            ProposalToTerminalMs = Percentiles.Of(done.Select(o => o.LatencyMs!.Value)),
            IncidentCreateMs = Percentiles.Of(work.IncidentCreateMs),
            UnfinishedAfterSeconds = options.UnfinishedAfter,
            UnfinishedAfter = accepted.Count - done.Count(o => o.TerminalMs <= cutoff),
            Database = database,
        };
        if (done.Count > 0)
        {
            // Terminal rate by the server's clock: from the first proposal to the last terminal status.
            var span = (done.Max(o => o.TerminalMs!.Value) - outcomes.Min(o => o.ProposedMs)) / 1000.0;
            result.TerminalPerS = done.Count / Math.Max(span, 1e-3);
        }
        if (outcomes.Count < accepted.Count) result.Notes.Add($"{accepted.Count - outcomes.Count} accepted responses missing from history");
        var bench = api.Counts;
        result.Notes.Add($"bench's own polling and history calls: {bench.Ok} ok, {bench.TooMany} 429, {bench.ServerError} 5xx");
        return result;
    }
}
