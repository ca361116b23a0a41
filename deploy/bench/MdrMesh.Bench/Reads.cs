namespace MdrMesh.Bench;

/// <summary>The read methods an analyst's console calls, timed one at a time on a seeded store.</summary>
public static class Reads
{
    private static readonly string[] Priorities = ["HIGH", "NORMAL", "LOW"];

    public static async Task<ScenarioResult> RunAsync(Api api, IReadOnlyList<Asset> fleet, int seed, int calls)
    {
        var work = new Workload(api, fleet, "reads");
        api.Counts = new Counts();
        var start = Clock.Now;
        var ids = new string?[seed];
        await Parallel.ForEachAsync(Enumerable.Range(0, seed), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, _) => ids[i] = await work.CreateIncidentAsync(true, Priorities[i % Priorities.Length]));
        var seeded = ids.Where(id => id is not null).Select(id => id!).ToList();
        if (seeded.Count == 0) throw new BenchException("reads: no incident could be seeded");
        var seedSeconds = Clock.Now - start;

        var stored = await api.CallAsync("incidents/count", new { }, true);
        var random = new Random(9);
        var methods = new (string Name, string Method, Func<object> Body)[]
        {
            ("incidents/list (HIGH, newest 50)", "incidents/list",
                () => new { priorities = new[] { "HIGH" }, sort = "creation_time:desc", page_size = 50 }),
            ("incidents/count (HIGH)", "incidents/count", () => new { priorities = new[] { "HIGH" } }),
            ("assets/details", "assets/details", () => new { asset_id = fleet[random.Next(fleet.Count)].Id }),
            ("incidents/history (page of 100)", "incidents/history",
                () => new { incident_id = seeded[random.Next(seeded.Count)], page_size = 100 }),
        };
        api.Counts = new Counts();
        var result = new ScenarioResult { Name = "reads", Kind = "reads", StartedAt = start, Reads = [] };
        result.Notes.Add($"seeded {seeded.Count} incidents in {seedSeconds:0.0} s ({seeded.Count / seedSeconds:0}/s); " +
                         $"incidents stored (incidents/count): {(stored.Ok ? stored.Body.ToString() : $"answer {stored.Status}")}");
        foreach (var (name, method, body) in methods)
        {
            var times = new List<double>(calls);
            for (var i = 0; i < calls; i++)
            {
                var reply = await api.CallAsync(method, body(), true);
                if (!reply.Ok) throw new BenchException($"{method} answered {reply.Status}: {reply.Body}");
                times.Add(reply.Ms);
            }
            result.Reads[name] = Percentiles.Of(times);
        }
        result.Counts = api.Counts;
        result.EndedAt = Clock.Now;
        return result;
    }
}
