namespace MdrMesh.Bench;

/// <summary>
/// The load is an outbreak on purpose: hundreds of isolations accepted automatically, which the blast-radius guard
/// exists to stop (it holds what comes after 20 in 10 minutes for a person). The bench measures the pipeline, so it
/// turns the guard off for the tenant it loads (the installation's own, where the bench raises its incidents): one more
/// reason to run it on a test installation only.
/// </summary>
public static class Guard
{
    private const string Tenant = "root";

    public static async Task TurnOffAsync(Api api)
    {
        var off = await api.CallAsync("auto_accept/guard/set", new { tenant_id = Tenant, types = Array.Empty<string>(), limit = 20, window_seconds = 600 }, true);
        if (!off.Ok) throw new BenchException($"auto_accept/guard/set answered {off.Status}: {off.Body}");
    }
}
