using System.Net.Sockets;

namespace MdrMesh.Security.Tests;

/// <summary>
/// What the gateway's public port shows an anonymous caller beside the API: the API's description, and
/// nothing an operator alone should see. With <c>Metrics:Port</c> set (as compose sets it), <c>/metrics</c>
/// answers on that port only; the description endpoints are read-only.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class OperatorSurfaceTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private readonly HttpClient _http = new();
    private readonly int _metricsPort = FreePort();

    // A port nobody listens on: the metrics endpoint then exists on no address the test can reach.
    protected override Dictionary<string, string?> Settings => new() { ["Metrics:Port"] = _metricsPort.ToString() };

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/METRICS")]
    [InlineData("//metrics")]
    [InlineData("/metrics/")]
    [InlineData("/%6Detrics")]
    public async Task Metrics_are_not_served_on_the_api_port_in_any_spelling(string path)
    {
        foreach (var service in new[] { "Gateway", "Incidents" })
        {
            using var response = await _http.GetAsync($"{Mesh.ServiceAddress(service)}{path}");
            Assert.Equal(404, (int)response.StatusCode);
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("gateway")]
    [InlineData("x")]
    [InlineData("127.0.0.1")]
    public async Task A_host_header_naming_the_metrics_port_does_not_open_it_on_the_api_port(string host)
    {
        foreach (var service in new[] { "Gateway", "Incidents" })
        {
            foreach (var path in new[] { "/metrics", "/metrics/" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{Mesh.ServiceAddress(service)}{path}");
                request.Headers.Host = $"{host}:{_metricsPort}";
                using var response = await _http.SendAsync(request);
                Assert.True(404 == (int)response.StatusCode, $"{service} {path} with Host {request.Headers.Host}: {(int)response.StatusCode}");
            }
            // The probes answer as they always do, whatever the Host header says, and show no metrics.
            using var probe = new HttpRequestMessage(HttpMethod.Get, $"{Mesh.ServiceAddress(service)}/health/ready");
            probe.Headers.Host = $"{host}:{_metricsPort}";
            using var ready = await _http.SendAsync(probe);
            Assert.Equal(200, (int)ready.StatusCode);
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_description_endpoints_answer_reads_only_and_refuse_writes()
    {
        var gateway = Mesh.ServiceAddress("Gateway");
        using var get = await _http.GetAsync($"{gateway}/openapi/v1.json");
        Assert.Equal(200, (int)get.StatusCode);
        using var post = await _http.PostAsync($"{gateway}/openapi/v1.json", new StringContent("{}"));
        Assert.Equal(405, (int)post.StatusCode);
        using var postReference = await _http.PostAsync($"{gateway}/reference/", new StringContent("{}"));
        Assert.Equal(405, (int)postReference.StatusCode);
        // The API itself is as closed as ever beside them.
        using var anonymous = await _http.PostAsync($"{gateway}/api/v1/{Mesh.FirstCredentials.ClientId}/incidents/list",
            new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(401, (int)anonymous.StatusCode);
    }
}
