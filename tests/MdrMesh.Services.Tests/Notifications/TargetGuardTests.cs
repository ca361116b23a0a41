using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Sockets;
using MdrMesh.Notifications.Webhooks;

namespace MdrMesh.Services.Tests.Notifications;

public class TargetGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]          // loopback
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    [InlineData("0.0.0.0")]            // unspecified
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("169.254.169.254")]    // link-local: cloud metadata
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("10.0.0.1")]           // private
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("100.64.0.1")]         // shared, carrier-grade NAT
    [InlineData("100.127.255.255")]
    [InlineData("224.0.0.1")]          // multicast
    [InlineData("239.255.255.250")]
    [InlineData("ff02::1")]
    [InlineData("255.255.255.255")]    // broadcast
    [InlineData("240.0.0.1")]          // reserved
    [InlineData("198.18.0.1")]         // benchmarking
    [InlineData("198.19.255.255")]
    [InlineData("192.0.0.8")]          // IETF protocol assignments
    [InlineData("192.0.2.1")]          // documentation
    [InlineData("198.51.100.1")]
    [InlineData("203.0.113.1")]
    [InlineData("2001:db8::1")]
    [InlineData("::ffff:127.0.0.1")]   // IPv4-mapped: judged as its IPv4 address
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::127.0.0.1")]        // IPv4-compatible (deprecated)
    [InlineData("::10.0.0.1")]
    [InlineData("2002:7f00:1::1")]     // 6to4 (here of 127.0.0.1)
    [InlineData("64:ff9b::7f00:1")]    // NAT64
    public void Internal_addresses_are_internal(string address) =>
        Assert.True(TargetGuard.IsInternal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]         // just past 172.16/12
    [InlineData("100.128.0.1")]        // just past 100.64/10
    [InlineData("11.0.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("2a00:1450:4001::200e")]
    [InlineData("::ffff:93.184.216.34")]
    public void Public_addresses_are_not(string address) =>
        Assert.False(TargetGuard.IsInternal(IPAddress.Parse(address)), address);

    private static Func<string, CancellationToken, Task<IPAddress[]>> Dns(params (string Name, string Address)[] records) =>
        (name, _) =>
        {
            var found = records.Where(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(r => IPAddress.Parse(r.Address)).ToArray();
            return found.Length > 0 ? Task.FromResult(found) : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
        };

    private static readonly Func<string, CancellationToken, Task<IPAddress[]>> World = Dns(
        ("hooks.example.com", "93.184.216.34"),
        ("v6.example.com", "2606:4700::1111"),
        ("sneaky.example.com", "93.184.216.34"),
        ("sneaky.example.com", "10.0.0.5"),
        ("metadata.example.com", "169.254.169.254"),
        ("hooks.corp.internal", "10.20.30.40"),
        ("lab.example.com", "192.168.7.9"));

    private static Task<string?> Check(string url, params string[] allowed) =>
        new TargetGuard(allowed, World).CheckAsync(new Uri(url), CancellationToken.None);

    [Theory]
    [InlineData("https://hooks.example.com/in")]
    [InlineData("http://hooks.example.com:8080/in?x=1")]
    [InlineData("https://v6.example.com/")]
    [InlineData("https://93.184.216.34/in")]
    [InlineData("https://[2606:4700::1111]/in")]
    public async Task Public_targets_pass(string url) => Assert.Null(await Check(url));

    [Theory]
    [InlineData("ftp://hooks.example.com/in", "scheme must be http or https")]
    [InlineData("file:///etc/passwd", "scheme must be http or https")]
    [InlineData("gopher://hooks.example.com/", "scheme must be http or https")]
    [InlineData("https://user:pass@hooks.example.com/in", "user name or password")]
    [InlineData("https://user@hooks.example.com/in", "user name or password")]
    [InlineData("https://nowhere.example.com/in", "nowhere.example.com does not resolve")]
    [InlineData("http://127.0.0.1:8080/", "127.0.0.1 is an internal address")]
    [InlineData("http://[::1]/", "::1 is an internal address")]
    [InlineData("http://[::ffff:127.0.0.1]/", "is an internal address")]
    [InlineData("http://2130706433/", "127.0.0.1 is an internal address")] // 127.0.0.1 as one number
    [InlineData("https://metadata.example.com/latest", "metadata.example.com resolves to internal address 169.254.169.254")]
    [InlineData("https://sneaky.example.com/in", "sneaky.example.com resolves to internal address 10.0.0.5")]
    public async Task Refused_targets_say_why(string url, string why) => Assert.Contains(why, await Check(url));

    [Fact]
    public async Task A_relative_url_is_refused() =>
        Assert.Contains("absolute", await new TargetGuard([], World).CheckAsync(new Uri("/in", UriKind.Relative), CancellationToken.None));

    [Fact]
    public async Task The_allowlist_permits_by_name_address_or_range()
    {
        Assert.Null(await Check("https://HOOKS.corp.internal/in", "hooks.corp.internal"));
        Assert.Null(await Check("https://hooks.corp.internal/in", "10.20.30.40"));
        Assert.Null(await Check("https://hooks.corp.internal/in", "10.20.0.0/16"));
        Assert.Null(await Check("http://127.0.0.1:5000/", "127.0.0.1"));
        Assert.Null(await Check("http://[::1]:5000/", "::1"));
        Assert.Null(await Check("http://[::ffff:127.0.0.1]:5000/", "127.0.0.0/8"));
        Assert.Null(await Check("https://sneaky.example.com/in", "10.0.0.0/8"));

        // Only what it names.
        Assert.Contains("10.20.30.40", await Check("https://hooks.corp.internal/in", "other.corp.internal"));
        Assert.Contains("10.20.30.40", await Check("https://hooks.corp.internal/in", "10.20.30.41"));
        Assert.Contains("10.20.30.40", await Check("https://hooks.corp.internal/in", "10.21.0.0/16"));
        Assert.Contains("192.168.7.9", await Check("https://lab.example.com/in", "10.0.0.0/8", "hooks.corp.internal"));
        Assert.Contains("::1", await Check("http://[::1]:5000/", "127.0.0.1"));
    }

    [Fact]
    public void A_malformed_range_in_the_allowlist_stops_the_service() =>
        Assert.Contains("10.0.0.0/40", Assert.Throws<InvalidOperationException>(() => new TargetGuard(["10.0.0.0/40"])).Message);

    [Fact]
    public async Task At_connect_time_a_name_now_resolving_inside_is_refused()
    {
        // The API's check saw a public address; by the time of sending, the name points at loopback (DNS rebinding).
        var answers = new Queue<string>(["93.184.216.34", "127.0.0.1"]);
        var guard = new TargetGuard([], (_, _) => Task.FromResult(new[] { IPAddress.Parse(answers.Dequeue()) }));
        Assert.Null(await guard.CheckAsync(new Uri("http://rebind.example.com/in"), CancellationToken.None));

        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = guard.ConnectAsync });
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("http://rebind.example.com/in"));
        var refused = Assert.IsType<TargetRefusedException>(failure.InnerException);
        Assert.Equal("refused: rebind.example.com resolves to internal address 127.0.0.1", refused.Message);
    }
}

/// <summary>The allowlist as an operator sets it: a list in configuration, or one comma-separated environment variable.</summary>
public sealed class AllowedHostsSettingTests
{
    [Theory]
    [InlineData("soar.corp,10.20.0.0/16")]
    [InlineData(" soar.corp ; 10.20.0.0/16 ")]
    public void One_value_with_commas_is_the_same_as_a_list(string value)
    {
        var single = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Notifications:AllowedHosts"] = value }).Build();
        var list = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Notifications:AllowedHosts:0"] = "soar.corp", ["Notifications:AllowedHosts:1"] = "10.20.0.0/16" })
            .Build();

        Assert.Equal(["soar.corp", "10.20.0.0/16"], MdrMesh.Notifications.Webhooks.WebhookSetup.AllowedHostsOf(single));
        Assert.Equal(["soar.corp", "10.20.0.0/16"], MdrMesh.Notifications.Webhooks.WebhookSetup.AllowedHostsOf(list));
        Assert.Empty(MdrMesh.Notifications.Webhooks.WebhookSetup.AllowedHostsOf(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Notifications:AllowedHosts"] = "" }).Build()));
    }
}
