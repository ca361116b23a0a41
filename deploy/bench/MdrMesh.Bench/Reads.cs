namespace MdrMesh.Bench;

/// <summary>The read methods an analyst's console calls, timed one at a time on a seeded store.</summary>
public static class Reads
{
    private static readonly string[] Priorities = ["HIGH", "NORMAL", "LOW"];

    public static async Task<ScenarioResult> RunAsync(Api api, IReadOnlyList<Asset> fleet, int seed, int calls, int copies, string postgres)
    {
        var work = new Workload(api, fleet, "reads");
        api.Counts = new Counts();
        var start = Clock.Now;
        var ids = new string?[seed];
        await Parallel.ForEachAsync(Enumerable.Range(0, seed), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, _) => ids[i] = await work.CreateIncidentAsync(true, Priorities[i % Priorities.Length]));
        var seeded = ids.Where(id => id is not null).Select(id => id!).ToList();
        if (seeded.Count == 0) throw new BenchException("reads: no incident could be seeded");
        if (copies > 0) await CopyAsync(postgres, seeded, copies);
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
        result.Notes.Add($"seeded {seeded.Count} incidents through the API" + (copies > 0 ? $" and {seeded.Count * copies} copies in SQL" : "") +
                         $" in {seedSeconds:0.0} s; " +
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

    /// <summary>
    /// A large store without hours of API calls: each seeded incident's document copied <paramref name="copies"/> times in
    /// PostgreSQL, with new ids and creation times spread over the past 30 days. The copies have no event streams (their
    /// history is empty; the relay would publish copied events): they are for the list and count reads, and the bench never
    /// writes to them or reads their history.
    /// </summary>
    private static async Task CopyAsync(string postgres, IReadOnlyList<string> seeded, int copies)
    {
        await using var connection = new Npgsql.NpgsqlConnection(postgres);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandTimeout = 600;
        command.CommandText = """
            create temp table bench_copies as
              select s.id as source, gen_random_uuid() as id, g as n, s.created_at - random() * interval '30 days' as created
              from incidents.mt_doc_incident s, generate_series(1, @copies) g where s.id = any(@ids);
            insert into incidents.mt_doc_incident
                (tenant_id, id, data, mt_last_modified, mt_version, mt_dotnet_type, status, priority, resolution, created_at, updated_at, number)
              select s.tenant_id, c.id,
                     s.data || jsonb_build_object('Id', c.id, 'CreatedAt', c.created, 'UpdatedAt', c.created, 'Number', s.number + c.n * 10000000),
                     now(), s.mt_version, s.mt_dotnet_type, s.status, s.priority, s.resolution, c.created, c.created, s.number + c.n * 10000000
              from bench_copies c join incidents.mt_doc_incident s on s.id = c.source;
            """;
        command.Parameters.AddWithValue("copies", copies);
        command.Parameters.AddWithValue("ids", seeded.Select(Guid.Parse).ToArray());
        await command.ExecuteNonQueryAsync();
        // What autovacuum does within a minute or so of a bulk insert (its insert threshold), done now so the reads
        // meet the store as it runs, not in the minute after a copy no real installation makes: measured here,
        // incidents/count of 33,400 HIGH incidents read 12,112 heap pages for visibility before (185 ms), none after (4 ms).
        await using var vacuum = connection.CreateCommand();
        vacuum.CommandTimeout = 600;
        vacuum.CommandText = "vacuum (analyze) incidents.mt_doc_incident";
        await vacuum.ExecuteNonQueryAsync();
    }
}
