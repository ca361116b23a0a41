using MdrMesh.Bench;

// The MdrMesh benchmark: run by deploy/bench.sh against the composed system (see Options for the command line).
try
{
    var options = Options.Parse(args);
    using var api = new Api(options.ApiBase, options.Access);
    var fleet = options.Assets > 0 ? await Fleet.RegisterAsync(api, options.Assets) : Fleet.Load(options.FleetFile);
    if (options.ChaosRounds > 0)
    {
        // The restart suite alone: faults, not speed (deploy/chaos.sh).
        await api.CallAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, true);
        await Guard.TurnOffAsync(api);
        await api.AddConnectionsAsync(Math.Max(0, options.Connections - 1));
        var (faults, unfinished) = await Chaos.RunAsync(api, fleet, options);
        await api.DeleteExtraAsync();
        var table = Chaos.Table(faults, unfinished, options);
        Directory.CreateDirectory(options.Output);
        await File.WriteAllTextAsync(Path.Combine(options.Output, "chaos.md"), table);
        Console.WriteLine(table);
        return Chaos.Held(faults, unfinished) ? 0 : 1;
    }
    var results = new List<ScenarioResult>();
    FloorResult? floors = null;
    (double From, double To) floorWindow = default;
    await using (var containers = new Containers("mdrmesh"))
    {
        // Responses go from New to Confirmed with no one in the loop: the pipeline is measured, not a person.
        var auto = await api.CallAsync("auto_accept/set", new { mode = "ALL_TENANTS" }, true);
        if (!auto.Ok) throw new BenchException($"auto_accept/set answered {auto.Status}: {auto.Body}");
        await Guard.TurnOffAsync(api);
        await api.AddConnectionsAsync(Math.Max(0, options.Connections - 1));
        try
        {
            if (options.Warmup > 0 && (options.Rates.Count > 0 || options.Closed is not null || options.Outbreak))
            {
                // Measured here: the first 10/s load after a start answered responses/create at p50 7.3 s, the same load run again at 0.1 s.
                Log($"warm-up: 5/s for {options.Warmup} s, not reported");
                await Load.OpenAsync(api, fleet, 5, options.Warmup, options);
            }
            if (options.FloorsOn)
            {
                Log("floors: PostgreSQL commits, RabbitMQ publish -> consume");
                var from = Clock.Now;
                floors = await Floors.RunAsync(options);
                floorWindow = (from, Clock.Now);
            }
            foreach (var rate in options.Rates)
            {
                Log($"open loop: {rate}/s for {options.Duration} s");
                var notifications = options.Notifications ? await NotificationWatch.StartAsync(api) : null;
                var result = await Load.OpenAsync(api, fleet, rate, options.Duration, options);
                if (notifications is not null) await notifications.MeasureAsync(api, result, options.Deadline);
                results.Add(result);
            }
            if (options.Closed is { } clients)
            {
                Log($"closed loop: {clients} clients");
                results.Add(await Load.ClosedAsync(api, fleet, clients, options.SmokeClosedSeconds ?? options.Duration, options));
            }
            if (options.Outbreak)
            {
                Log($"outbreak: {options.OutbreakResponses} isolations over {options.OutbreakIncidents} incidents");
                results.Add(await Outbreak.RunAsync(api, fleet, options.OutbreakResponses, options.OutbreakIncidents, options));
            }
            if (options.Reads)
            {
                Log($"reads: {options.SeedIncidents} incidents seeded, {options.ReadCalls} calls of each method");
                results.Add(await Reads.RunAsync(api, fleet, options.SeedIncidents, options.ReadCalls, options.SeedCopies, options.PostgresConnection));
            }
        }
        finally
        {
            await api.DeleteExtraAsync();
        }
        // A short load may fall between two samples: then the scenario's whole time counts.
        foreach (var result in results)
            result.Containers = containers.Use(result.StartedAt, result.LoadEndedAt ?? result.EndedAt) is { Count: > 0 } use ? use : containers.Use(result.StartedAt, result.EndedAt);
        var floorContainers = floors is null ? [] : containers.Use(floorWindow.From, floorWindow.To);
        Console.WriteLine(Report.Write(options, floors, floorContainers, containers.Instances(), results));
    }
    // Smoke mode proves the bench works end to end: every load scenario must have got responses through. No timing.
    var broken = options.Smoke ? results.Where(r => r.Kind != "reads" && (r.Accepted == 0 || r.Terminal == 0)).ToList() : [];
    foreach (var r in broken) Console.Error.WriteLine($"smoke: {r.Name} had {r.Accepted} accepted and {r.Terminal} terminal responses");
    return broken.Count > 0 || (options.Smoke && floors is not null && (floors.PostgresCommitsPerS <= 0 || floors.RabbitMqMessagesPerS <= 0)) ? 1 : 0;
}
catch (BenchException e)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    return 2;
}

static void Log(string message) => Console.Error.WriteLine($"[{Clock.Now,6:0.0} s] {message}");
