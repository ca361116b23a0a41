namespace MdrMesh.Security.Tests;

/// <summary>
/// Server-side request forgery through the real gateway: a webhook may not point at the installation itself, the cloud's
/// metadata service, or any internal network, however the address is spelled. Nothing is allowlisted here.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class NotificationTargetTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "t-ssrf";

    public static TheoryData<string> Internal() =>
    [
        "http://127.0.0.1:8080/api/v1/",
        "http://127.9.9.9/",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://10.0.0.5/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fd00::1]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://017700000001/",
        "ftp://93.184.216.34/",
        "file:///etc/passwd",
        "gopher://93.184.216.34/",
        "http://user:secret@93.184.216.34/",
        "http://no-such-host.invalid/",
        "not a url",
    ];

    [Theory]
    [MemberData(nameof(Internal))]
    public async Task A_webhook_target_that_is_or_resolves_to_an_internal_address_is_refused_naming_target(string target)
    {
        var (status, body) = await Mesh.CallAsync("notifications/subscriptions/create",
            new { tenant_id = Tenant, channel = "WEBHOOK", target, events = new[] { "incident.created" } });

        Assert.Equal(400, status);
        Assert.NotEmpty(body!["errors"]!["target"]!.AsArray());
    }

    [Fact]
    public async Task A_public_address_is_accepted_and_cannot_be_changed_to_an_internal_one_afterwards()
    {
        var created = await Mesh.OkAsync("notifications/subscriptions/create",
            new { tenant_id = Tenant, channel = "WEBHOOK", target = "https://93.184.216.34/hooks", events = new[] { "incident.created" } });
        var id = created["subscription_id"]!.GetValue<string>();

        var (status, body) = await Mesh.CallAsync("notifications/subscriptions/update",
            new { tenant_id = Tenant, subscription_id = id, target = "http://169.254.169.254/latest/meta-data/" });

        Assert.Equal(400, status);
        Assert.NotEmpty(body!["errors"]!["target"]!.AsArray());
        var listed = await Mesh.OkAsync("notifications/subscriptions/list", new { tenant_id = Tenant });
        Assert.Equal("https://93.184.216.34/hooks", listed.AsArray().Single()!["target"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("alice@example.com\r\nBcc: victim@example.com")]
    [InlineData("Alice <alice@example.com>")]
    [InlineData("alice@example.com, bob@example.com")]
    [InlineData("not-an-address")]
    public async Task An_email_target_is_one_plain_address_so_no_header_can_be_smuggled_in(string target)
    {
        var (status, body) = await Mesh.CallAsync("notifications/subscriptions/create",
            new { tenant_id = Tenant, channel = "EMAIL", target, events = new[] { "incident.created" }, language = "ru" });

        Assert.Equal(400, status);
        Assert.NotEmpty(body!["errors"]!["target"]!.AsArray());
    }
}
