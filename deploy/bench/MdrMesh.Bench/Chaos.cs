using System.Diagnostics;
using System.Globalization;
using System.Text;
using Npgsql;

namespace MdrMesh.Bench;

/// <summary>What one kind of fault did over its rounds.</summary>
public sealed record FaultResult(string Kind, int Injected, List<double> RecoverySeconds, int Checked, int Stranded, int DoubledExecutions, int DoubledOutcomes,
    int Intended, int Unanswered, int DoubledProposals,
    int OutOfOrder);

/// <summary>
/// The restart suite (deploy/chaos.sh): under an open-loop load, restarts PostgreSQL, RabbitMQ, both in either order,
/// cuts each off for a few seconds, and kills each service with SIGKILL (its restart policy brings it back), K times each. After each fault it waits
/// until every response proposed in that round is terminal and every relay has caught up (the recovery time counts
/// from the end of the fault), then checks the stores: no execution started twice, no outcome recorded twice.
/// Only the composed system's own containers are touched (docker on this machine).
/// </summary>
public static class Chaos
{
    private static readonly (string Kind, Func<Task> Inject)[] Faults =
    [
        ("restart PostgreSQL", () => RestartAsync("postgres")),
        ("restart RabbitMQ", () => RestartAsync("rabbitmq")),
        ("restart PostgreSQL, then RabbitMQ", async () => { await RestartAsync("postgres"); await RestartAsync("rabbitmq"); }),
        ("restart RabbitMQ, then PostgreSQL", async () => { await RestartAsync("rabbitmq"); await RestartAsync("postgres"); }),
        ("cut PostgreSQL off for 5 s", () => CutOffAsync("postgres", 5)),
        ("cut RabbitMQ off for 5 s", () => CutOffAsync("rabbitmq", 5)),
        // Outages longer than any quick retry: messages wait them out (TransientFaults), calls are retried by their keys.
        ("cut PostgreSQL off for 60 s", () => CutOffAsync("postgres", 60)),
        ("cut RabbitMQ off for 30 s", () => CutOffAsync("rabbitmq", 30)),
        ("kill -9 incidents", () => KillAsync("incidents")),
        ("kill -9 approvals", () => KillAsync("approvals")),
        ("kill -9 executor", () => KillAsync("executor")),
        ("kill -9 gateway", () => KillAsync("gateway")),
    ];

    // With the cluster profile (three broker nodes, quorum queues): a node lost, a follower and then the first node, to
    // which the services connect first and on which they declared their queues' leaders.
    private static readonly (string Kind, Func<Task> Inject)[] ClusterFaults =
    [
        ("kill -9 RabbitMQ node rabbitmq-2", () => KillAsync("rabbitmq-2")),
        ("kill -9 RabbitMQ node rabbitmq", () => KillAsync("rabbitmq")),
    ];

    private static readonly string[] Schemas = ["incidents", "approvals", "executor"];

    public static async Task<(List<FaultResult> Results, int UnfinishedAnywhere)> RunAsync(Api api, IReadOnlyList<Asset> fleet, Options options)
    {
        var startedAt = Clock.Now;
        var results = new List<FaultResult>();
        // The client retries every failed call with its key until it succeeds (within the deadline), as an integration would.
        api.RetryFailuresFor = TimeSpan.FromSeconds(options.Deadline);
        var clustered = (await DockerAsync("ps", "-q", "--filter", "label=com.docker.compose.project=mdrmesh",
            "--filter", "label=com.docker.compose.service=rabbitmq-2")).Trim().Length > 0;
        foreach (var (kind, inject) in clustered ? [.. Faults, .. ClusterFaults] : Faults)
        {
            var recoveries = new List<double>();
            int checkedCount = 0, stranded = 0, doubledExecutions = 0, doubledOutcomes = 0, outOfOrder = 0, intended = 0, unanswered = 0, doubledProposals = 0;
            for (var round = 1; round <= options.ChaosRounds; round++)
            {
                Log($"chaos: {kind} ({round}/{options.ChaosRounds}) under {options.ChaosRate:0.#}/s");
                var work = new Workload(api, fleet, $"chaos {kind} {round}");
                var load = Load.OfferAsync(work, options.ChaosRate, options.ChaosLoadSeconds);
                // The fault lands in the middle of the load.
                await Task.Delay(TimeSpan.FromSeconds(options.ChaosLoadSeconds / 3));
                await inject();
                var faultEnded = Clock.Now;
                await load;
                var pending = await Settle.WaitAsync(api, work, options.Deadline);
                var caughtUp = await RelaysCaughtUpAsync(options, faultEnded + options.Deadline);
                if (pending == 0 && caughtUp) recoveries.Add(Clock.Now - faultEnded);
                var ids = work.Proposals.Where(p => p.ResponseId is not null).Select(p => Guid.Parse(p.ResponseId!)).ToArray();
                checkedCount += ids.Length;
                stranded += pending;
                var (executions, outcomes, disordered) = await CheckStoresAsync(options, ids);
                // Every intended proposal (one key each) exists exactly once: as many responses in the round's incidents as proposals meant.
                var meant = work.Proposals.Where(p => p.IncidentId is not null).ToList();
                var stored = await ProposalsStoredAsync(options, meant.Select(p => Guid.Parse(p.IncidentId!)).Distinct().ToArray());
                intended += meant.Count;
                unanswered += meant.Count - ids.Length;
                doubledProposals += Math.Max(0, stored - meant.Count);
                doubledExecutions += executions;
                doubledOutcomes += outcomes;
                outOfOrder += disordered;
                Log($"chaos: {kind}: {ids.Length} responses, {pending} not terminal, relays {(caughtUp ? "caught up" : "behind")}, " +
                    $"{meant.Count} proposals meant, {stored} stored, {meant.Count - ids.Length} never answered 200, " +
                    $"{executions} executions and {outcomes} outcomes doubled, {disordered} out of order, recovered in {(pending == 0 && caughtUp ? $"{Clock.Now - faultEnded:0.0} s" : "-")}");
            }
            results.Add(new FaultResult(kind, options.ChaosRounds, recoveries, checkedCount, stranded, doubledExecutions, doubledOutcomes, intended,
                unanswered, doubledProposals, outOfOrder));
        }
        // Responses whose proposer saw a failed call exist too (a 503 after the commit): they must finish like the rest.
        var unfinished = await api.CallAsync("incidents/count",
            new { response_statuses = new[] { "New", "Confirmed", "InProgress" }, min_creation_time = Clock.UnixMs(startedAt) }, true);
        var anywhere = unfinished.Ok && unfinished.Body.TryGetProperty("count", out var n) ? n.GetInt32() : -1;
        return (results, anywhere);
    }

    /// <summary>Waits until no service has a committed event its relay has not published, or the deadline passes.</summary>
    private static async Task<bool> RelaysCaughtUpAsync(Options options, double deadline)
    {
        var sql = string.Join(" + ", Schemas.Select(s =>
            $"(select count(*) from {s}.mt_events e where e.seq_id > coalesce((select max(p.last_seq_id) from {s}.mt_event_progression p where p.name like 'rabbitmq-relay%'), 0))"));
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(options.PostgresConnection);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand($"select {sql}", connection);
                if ((long)(await command.ExecuteScalarAsync())! == 0) return true;
            }
            catch (NpgsqlException) { }
            if (Clock.Now > deadline) return false;
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Responses among <paramref name="ids"/> whose execution started more than once, whose outcome the incident recorded
    /// more than once, and whose outcome the incident recorded without its start before it (history out of order).
    /// </summary>
    private static async Task<(int Executions, int Outcomes, int OutOfOrder)> CheckStoresAsync(Options options, Guid[] ids)
    {
        await using var connection = new NpgsqlConnection(options.PostgresConnection);
        await connection.OpenAsync();
        async Task<int> CountAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = ids } } };
            return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
        var executions = await CountAsync(
            // A start is its own event, or part of the outcome that ended the run at once.
            "select count(*) from (select stream_id from executor.mt_events where stream_id = any($1) and (type = 'response_execution_started'" +
            " or type in ('response_executed', 'response_failed') and jsonb_typeof(data->'Start') = 'object')" +
            " group by tenant_id, stream_id having count(*) > 1) doubled");
        var outcomes = await CountAsync(
            "select count(*) from (select (data->>'ResponseId')::uuid from incidents.mt_events" +
            " where type in ('response_executed', 'response_failed') and (data->>'ResponseId')::uuid = any($1)" +
            " group by tenant_id, 1 having count(*) > 1) doubled");
        // An outcome carries its start (StartedAt) or follows a start event of its own.
        var outOfOrder = await CountAsync(
            "select count(*) from incidents.mt_events o where o.type in ('response_executed', 'response_failed')" +
            " and (o.data->>'ResponseId')::uuid = any($1) and jsonb_typeof(o.data->'StartedAt') is distinct from 'string'" +
            " and not exists (select 1 from incidents.mt_events b" +
            " where b.type = 'response_execution_started' and b.stream_id = o.stream_id and b.data->>'ResponseId' = o.data->>'ResponseId' and b.seq_id < o.seq_id)");
        return (executions, outcomes, outOfOrder);
    }

    /// <summary>How many responses were proposed on <paramref name="incidents"/>, by the incidents store's own events.</summary>
    private static async Task<int> ProposalsStoredAsync(Options options, Guid[] incidents)
    {
        await using var connection = new NpgsqlConnection(options.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from incidents.mt_events where type = 'response_proposed' and stream_id = any($1)", connection)
        {
            Parameters = { new() { Value = incidents } },
        };
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>The service's container, by the labels Compose v1 and v2 both set (their names differ).</summary>
    private static async Task<string> ContainerAsync(string service)
    {
        var id = (await DockerAsync("ps", "-aq", "--filter", "label=com.docker.compose.project=mdrmesh",
            "--filter", $"label=com.docker.compose.service={service}")).Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return id ?? throw new BenchException($"no container of the compose service {service} (is the system of deploy/up.sh running?)");
    }

    private static async Task RestartAsync(string service) => await DockerAsync("restart", "--time", "10", await ContainerAsync(service));

    /// <summary>
    /// A network cut as the services see it: the server is frozen (docker pause), so their connections neither answer
    /// nor close, and packets go nowhere, for <paramref name="seconds"/>.
    /// </summary>
    private static async Task CutOffAsync(string service, double seconds)
    {
        var container = await ContainerAsync(service);
        // Freezing a busy container's cgroup can time out in runc ("unable to freeze"), which leaves it running: try again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await DockerAsync("pause", container);
                break;
            }
            catch (BenchException e) when (attempt < 5)
            {
                Log($"chaos: {e.Message}; trying again");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
        try { await Task.Delay(TimeSpan.FromSeconds(seconds)); }
        finally { await DockerAsync("unpause", container); }
    }

    /// <summary>SIGKILL to the service's process, as a crash: Docker's restart policy starts it again (docker kill would count as a stop).</summary>
    private static async Task KillAsync(string service)
    {
        var container = await ContainerAsync(service);
        var pid = (await DockerAsync("inspect", "--format", "{{.State.Pid}}", container)).Trim();
        using var kill = Process.Start("kill", ["-9", pid])!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0) throw new BenchException($"kill -9 {pid} ({service}) failed");
        // Back once Docker has started a new process.
        var deadline = Clock.Now + 60;
        while ((await DockerAsync("inspect", "--format", "{{.State.Pid}}", container)).Trim() is var now && (now == pid || now == "0"))
        {
            if (Clock.Now > deadline) throw new BenchException($"{service} was not restarted by its restart policy within 60 s");
            await Task.Delay(200);
        }
    }

    private static async Task<string> DockerAsync(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("docker", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new BenchException($"docker {string.Join(' ', args)}: {error.Trim()}");
    }

    public static string Table(List<FaultResult> results, int unfinishedAnywhere, Options options)
    {
        var text = new StringBuilder();
        text.AppendLine($"Restart suite: {options.ChaosRounds} of each fault under {options.ChaosRate:0.#} proposals/s ({options.ChaosLoadSeconds:0} s of load each, the fault a third of the way in); commit {options.Commit}").AppendLine();
        text.AppendLine("| fault | injected | recovery p50 | recovery max | proposals meant | never answered 200 | proposed twice | responses checked | stranded | doubled executions | doubled outcomes | history out of order |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var sorted = r.RecoverySeconds.Order().ToList();
            var p50 = sorted.Count > 0 ? $"{sorted[(sorted.Count - 1) / 2]:0.0} s" : "-";
            var max = sorted.Count > 0 ? $"{sorted[^1]:0.0} s" : "-";
            text.AppendLine($"| {r.Kind} | {r.Injected} | {p50} | {max} | {r.Intended} | {r.Unanswered} | {r.DoubledProposals} | {r.Checked} | {r.Stranded} | {r.DoubledExecutions} | {r.DoubledOutcomes} | {r.OutOfOrder} |");
        }
        text.AppendLine().AppendLine("Each proposal carries its own Idempotency-Key and a failed call (5xx, no answer) is sent again with it until it is answered (within the deadline): " +
                                     "\"proposed twice\" counts responses stored beyond the proposals meant, \"never answered 200\" the calls that kept failing.");
        text.AppendLine().AppendLine($"Recovery: from the end of the fault until every response of its round is terminal and every relay has caught up. " +
                                     $"Unfinished responses anywhere after the suite (including those whose proposer saw the call fail): {unfinishedAnywhere}.");
        return text.ToString();
    }

    /// <summary>True when nothing was stranded, doubled or left unfinished.</summary>
    public static bool Held(List<FaultResult> results, int unfinishedAnywhere) =>
        unfinishedAnywhere == 0 && results.All(r => r.Stranded == 0 && r.DoubledProposals == 0 && r.Unanswered == 0 && r.DoubledExecutions == 0 && r.DoubledOutcomes == 0 && r.OutOfOrder == 0 && r.RecoverySeconds.Count == r.Injected);

    private static void Log(string message) => Console.Error.WriteLine($"[{Clock.Now,6:0.0} s] {message}");
}
