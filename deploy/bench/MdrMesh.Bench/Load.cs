namespace MdrMesh.Bench;

/// <summary>The response pipeline under load: open loop at a fixed rate, closed loop for the maximum.</summary>
public static class Load
{
    /// <summary>
    /// Open loop: proposal i is due at start + i / rate whatever the server does, and its latency counts from then,
    /// so a slow server cannot slow the offered load down and hide behind it. A 429 is an answer, not retried.
    /// </summary>
    public static async Task<ScenarioResult> OpenAsync(Api api, IReadOnlyList<Asset> fleet, double rate, double seconds, Options options)
    {
        var work = new Workload(api, fleet, $"open {rate:0.#}/s");
        api.Counts = new Counts();
        var profile = await Profile.StartAsync(options);
        var start = Clock.Now;
        await OfferAsync(work, rate, seconds);
        return await Measure.LoadAsync(api, work, "open", start, start + seconds, options, profile);
    }

    /// <summary>Proposals due at start + i / rate, five to an incident (raised when its first response is due); returns once all were answered.</summary>
    public static async Task OfferAsync(Workload work, double rate, double seconds)
    {
        var count = Math.Max(1, (int)Math.Round(rate * seconds));
        var incidents = new Task<string?>[(count + 4) / 5];
        var calls = new List<Task>(count);
        var start = Clock.Now;
        for (var i = 0; i < count; i++)
        {
            var due = start + i / rate;
            var wait = due - Clock.Now;
            if (wait > 0.001) await Task.Delay(TimeSpan.FromSeconds(wait));
            if (i % 5 == 0) incidents[i / 5] = work.CreateIncidentAsync(false);
            calls.Add(work.ProposeAsync(incidents[i / 5], i % 5, due));
        }
        await Task.WhenAll(calls);
    }

    /// <summary>Closed loop: each client proposes as soon as its previous answer came (429s waited out): the maximum.</summary>
    public static async Task<ScenarioResult> ClosedAsync(Api api, IReadOnlyList<Asset> fleet, int clients, double seconds, Options options)
    {
        var work = new Workload(api, fleet, $"closed {clients}");
        api.Counts = new Counts();
        var profile = await Profile.StartAsync(options);
        var start = Clock.Now;
        var end = start + seconds;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            var incident = Task.FromResult<string?>(null);
            for (var slot = 0; Clock.Now < end; slot = (slot + 1) % 5)
            {
                if (slot == 0) incident = Task.FromResult(await work.CreateIncidentAsync(true));
                await work.ProposeAsync(incident, slot, Clock.Now, retryTooMany: true);
            }
        }));
        return await Measure.LoadAsync(api, work, "closed", start, Clock.Now, options, profile);
    }
}
