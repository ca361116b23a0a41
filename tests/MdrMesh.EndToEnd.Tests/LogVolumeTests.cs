namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// What an operator's log pipeline receives at the services' own default levels (Information): what happened to the
/// system, not a line for every API call the gateway forwards or every page a relay publishes. Under load those lines were
/// most of the log (two a call in the gateway) and a share of its CPU.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class LogVolumeTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "t-logs";
    private static readonly object GetFile = new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 };
    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"mdrmesh-volume-log-{Guid.NewGuid():N}.log");

    // The mesh's tests log warnings only; this one runs the services' own defaults.
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Test:LogFile"] = _logFile, ["Test:LogLevel"] = "Information", ["Logging:LogLevel:Default"] = "Information",
    };

    protected override async Task SetUpAsync() =>
        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { Tenant } }, caller: "customer-admin");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_logFile);
    }

    [Fact]
    public async Task Forwarded_calls_and_relayed_messages_write_no_line_each_at_the_default_levels()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        await Mesh.WaitForStatusAsync(incident, await Mesh.ProposeAsync(incident, "GET_FILE", GetFile), "Completed");
        await Mesh.OkAsync("incidents/list", new { page_size = 10 });
        var before = Records();

        // 10 responses through every service and relay, and 40 reads through the gateway.
        var responses = new List<string>();
        for (var i = 0; i < 10; i++)
            responses.Add(await Mesh.ProposeAsync(incident, "GET_FILE", GetFile, i % 2 == 0 ? "ws-1" : "ws-2"));
        foreach (var response in responses) await Mesh.WaitForStatusAsync(incident, response, "Completed");
        for (var i = 0; i < 40; i++) await Mesh.OkAsync("incidents/list", new { page_size = 10 });

        var added = Records().Skip(before.Count).ToList();
        Assert.True(added.Count < 10, $"{added.Count} records for 10 responses and ~100 API calls:\n{string.Join('\n', added.Take(20))}");
        Assert.DoesNotContain(Records(), record => record.Contains(" Yarp.") || record.Contains(" Marten.Events.Daemon."));
    }

    [Fact]
    public async Task Console_pages_with_a_form_write_no_warning_each()
    {
        using var browser = new HttpClient { BaseAddress = new Uri(Mesh.ServiceAddress("Gateway")) };
        var before = Records();
        for (var i = 0; i < 10; i++)
        {
            using var page = await browser.GetAsync("/signin");
            Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
            // Not kept by any cache: a page that carries an antiforgery token.
            Assert.True(page.Headers.CacheControl is { NoStore: true, NoCache: true }, page.Headers.CacheControl?.ToString());
        }

        var added = Records().Skip(before.Count).ToList();
        Assert.True(added.Count < 3, $"{added.Count} records for 10 sign-in pages:\n{string.Join('\n', added.Take(20))}");
    }

    // The log's records, by their first lines (a record may span several: SQL, a stack trace).
    private List<string> Records() => File.Exists(_logFile)
        ? File.ReadAllLines(_logFile).Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^\d\d:\d\d:\d\d\.\d{3} ")).ToList()
        : [];
}
