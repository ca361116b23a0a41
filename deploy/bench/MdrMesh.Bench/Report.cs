using System.Text;
using System.Text.Json;

namespace MdrMesh.Bench;

/// <summary>summary.md (also printed), summary.json and chart.png in the output folder. Numbers print invariantly (InvariantGlobalization).</summary>
public static class Report
{
    public static string Write(Options options, FloorResult? floors, Dictionary<string, ContainerUse> floorContainers, Dictionary<string, int> instances,
        List<ScenarioResult> results)
    {
        Directory.CreateDirectory(options.Output);
        var json = new
        {
            commit = options.Commit, measured_at = DateTimeOffset.UtcNow, cores = Environment.ProcessorCount, command_line = options.CommandLine,
            connections = options.Connections, instances, floors, floor_containers = floorContainers, scenarios = results,
        };
        File.WriteAllText(Path.Combine(options.Output, "summary.json"),
            JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true, IncludeFields = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        var markdown = Markdown(options, floors, instances, results);
        File.WriteAllText(Path.Combine(options.Output, "summary.md"), markdown);
        Chart.Write(Path.Combine(options.Output, "chart.png"), results);
        return markdown;
    }

    private static string Markdown(Options options, FloorResult? floors, Dictionary<string, int> instances, List<ScenarioResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine($"# MdrMesh benchmark\n\ncommit `{options.Commit}`, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, " +
                          $"`deploy/bench.sh {options.CommandLine}`, load spread over {options.Connections} API connections" +
                          (instances.Any(i => i.Value > 1) ? $", instances: {string.Join(", ", instances.Where(i => i.Value > 1).Select(i => $"{i.Key} {i.Value}"))}" : "") + ".\n");
        if (floors is not null)
        {
            md.AppendLine("## Floors (the composed system's own PostgreSQL and RabbitMQ, same run)\n");
            md.AppendLine("| PostgreSQL 1-row commits/s (8 writers) | RabbitMQ publish→consume msg/s (persistent, acked) |\n|---|---|");
            md.AppendLine($"| {floors.PostgresCommitsPerS:N0} | {floors.RabbitMqMessagesPerS:N0} |\n");
        }
        var loads = results.Where(r => r.Kind != "reads").ToList();
        if (loads.Count > 0)
        {
            md.AppendLine("## Responses (latency in ms; proposal → terminal by the server's history timestamps)\n");
            md.AppendLine("| scenario | offered/s | accepted/s | terminal/s | `responses/create` p50 / p95 / p99 / max | proposal → terminal p50 / p95 / p99 / max | 5xx | 429 | other non-2xx | no answer | completed / failed / declined | unfinished N s after the load | terminal/s ÷ floors (PG, RabbitMQ) |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in loads)
            {
                var ratio = floors is null ? "–" : $"{r.TerminalPerS / floors.PostgresCommitsPerS:P1}, {r.TerminalPerS / floors.RabbitMqMessagesPerS:P1}";
                md.AppendLine($"| {r.Name} | {r.OfferedPerS:0.#} | {r.AcceptedPerS:0.#} | {r.TerminalPerS:0.#} | {P(r.ApiMs)} | {P(r.ProposalToTerminalMs)} | " +
                                  $"{r.Counts.ServerError} | {r.Counts.TooMany} | {r.Counts.OtherStatus} | {r.Counts.NoAnswer} | {r.Completed} / {r.Failed} / {r.Declined} | " +
                                  $"{r.UnfinishedAfter} of {r.Accepted} ({r.UnfinishedAfterSeconds:0} s) | {ratio} |");
            }
            md.AppendLine();
            foreach (var r in loads.Where(r => r.NotificationsRecorded is not null))
                md.AppendLine($"Notifications at {r.Name}: `incident.created` by e-mail, commit → delivered p50 / p95 / p99 / max {P(r.NotificationMs)} ms " +
                              $"(of which commit → recorded for sending {P(r.NotificationRecordedMs)}); " +
                              $"{r.NotificationsDelivered} of {r.NotificationsRecorded} delivered.\n");
            foreach (var r in loads.Where(r => r.Kind == "outbreak"))
                md.AppendLine($"Outbreak: {r.Accepted} isolations accepted; first proposal → last terminal status: " +
                              (r.OutbreakSeconds is { } s ? $"**{s:0.0} s** ({r.Completed} Completed, {r.Failed} Failed)" : $"not all terminal within the deadline ({r.Terminal} of {r.Accepted})") + "\n");
            md.AppendLine("Counts are of the load's own calls (`incidents/create` and `responses/create`); API latency is of accepted calls, measured from the scheduled send time in the open loop. Each carries an `Idempotency-Key`; a 5xx or no answer is sent again with it (at most 3 times, over the same connection): the counts are of every attempt, the latency is to the last.\n");
        }
        foreach (var r in results.Where(r => r.Reads is not null))
        {
            md.AppendLine("## Reads (one call at a time, ms)\n");
            md.AppendLine("| method | p50 | p95 | p99 | max |\n|---|---|---|---|---|");
            foreach (var (name, p) in r.Reads!)
                md.AppendLine(p is null ? $"| {name} | – | – | – | – |" : $"| {name} | {p.P50:0.0} | {p.P95:0.0} | {p.P99:0.0} | {p.Max:0.0} |");
            md.AppendLine();
        }
        if (results.Count > 0)
        {
            md.AppendLine("## Containers (peak memory MiB of one instance / mean CPU % of all its instances, 100% = one core, during each scenario's load)\n");
            var names = results.SelectMany(r => r.Containers.Keys).Distinct().OrderBy(n => n).ToList();
            md.AppendLine("| scenario | " + string.Join(" | ", names) + " |");
            md.AppendLine("|---|" + string.Concat(names.Select(_ => "---|")));
            foreach (var r in results)
                md.AppendLine($"| {r.Name} | " + string.Join(" | ", names.Select(n => r.Containers.TryGetValue(n, out var u) ? $"{u.MaxMemoryMb:0} / {u.MeanCpuPercent:0}" : "–")) + " |");
            md.AppendLine();
        }
        var profiled = results.Where(r => r.Database is not null).ToList();
        if (profiled.Count > 0)
        {
            md.AppendLine("## Cost per accepted response (--profile: pg_stat_database and pg_stat_statements of the mdrmesh database; CPU-ms from each container's mean CPU during the load)\n");
            var names = profiled.SelectMany(r => r.Containers.Keys).Distinct().OrderBy(n => n).ToList();
            md.AppendLine("| scenario | transactions | statements | rows inserted | rows updated | rows written | " + string.Join(" | ", names.Select(n => $"{n} CPU-ms")) + " |");
            md.AppendLine("|---|---|---|---|---|---|" + string.Concat(names.Select(_ => "---|")));
            foreach (var r in profiled)
            {
                var d = r.Database!;
                var seconds = (r.LoadEndedAt ?? r.EndedAt) - r.StartedAt;
                md.AppendLine($"| {r.Name} | {d.TransactionsPerResponse:0.#} | {d.StatementsPerResponse:0.#} | {d.RowsInsertedPerResponse:0.#} | {d.RowsUpdatedPerResponse:0.#} | {d.RowsWrittenPerResponse:0.#} | " +
                              string.Join(" | ", names.Select(n => r.Containers.TryGetValue(n, out var u) && r.Accepted > 0 ? $"{u.MeanCpuPercent / 100 * seconds * 1000 / r.Accepted:0.0}" : "–")) + " |");
            }
            md.AppendLine();
            foreach (var r in profiled)
                md.AppendLine($"- Rows written per response by table, {r.Name}: " +
                              string.Join(" · ", r.Database!.Tables.Take(14).Select(t => $"`{t.Table}` {t.RowsWrittenPerResponse:0.00}")));
            md.AppendLine();
            foreach (var r in profiled)
            {
                md.AppendLine($"Statements with the most time, {r.Name}:\n");
                md.AppendLine("| calls | total ms | mean ms | statement |\n|---|---|---|---|");
                foreach (var t in r.Database!.Top)
                    md.AppendLine($"| {t.Calls} | {t.TotalMs:0} | {t.MeanMs:0.00} | `{t.Query.Replace("|", "\\|").Replace("`", "'")}` |");
                md.AppendLine();
            }
        }
        foreach (var r in results.Where(r => r.Notes.Count > 0))
            md.AppendLine($"- {r.Name}: {string.Join("; ", r.Notes)}");
        return md.ToString();
    }

    private static string P(Percentiles? p) => p is null ? "–" : $"{p.P50:0} / {p.P95:0} / {p.P99:0} / {p.Max:0}";

}
