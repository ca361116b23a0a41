namespace MdrMesh.Bench;

/// <summary>
/// A worm: isolations proposed over many incidents as fast as the API takes them, auto-accepted. Measured by the
/// server's clock from the first proposal until the last reached its terminal status.
/// </summary>
public static class Outbreak
{
    public static async Task<ScenarioResult> RunAsync(Api api, IReadOnlyList<Asset> fleet, int responses, int incidentCount, Options options)
    {
        var work = new Workload(api, fleet, "outbreak");
        // The incidents exist before the outbreak's clock starts: it measures the responses.
        var ids = new string?[incidentCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, incidentCount), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, _) => ids[i] = await work.CreateIncidentAsync(true));
        if (ids.Any(id => id is null)) throw new BenchException($"outbreak: {ids.Count(id => id is null)} incidents could not be created");

        api.Counts = new Counts();
        var profile = await Profile.StartAsync(options);
        var start = Clock.Now;
        // Proposal i goes to incident i mod n, so every incident gets its first isolation before any gets its second.
        await Parallel.ForEachAsync(Enumerable.Range(0, responses), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency },
            async (i, _) => await work.ProposeAsync(Task.FromResult(ids[i % incidentCount]), i / incidentCount, Clock.Now,
                isolateOnly: true, retryTooMany: true));
        var result = await Measure.LoadAsync(api, work, "outbreak", start, Clock.Now, options, profile);
        var done = result.Outcomes.Where(o => o.TerminalMs is not null).ToList();
        if (done.Count > 0 && done.Count == result.Accepted)
            result.OutbreakSeconds = (done.Max(o => o.TerminalMs!.Value) - result.Outcomes.Min(o => o.ProposedMs)) / 1000.0;
        return result;
    }
}
