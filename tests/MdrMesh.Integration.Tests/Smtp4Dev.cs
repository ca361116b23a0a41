using System.Net.Http.Json;
using System.Text.Json;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;
using MimeKit;

namespace MdrMesh.Integration.Tests;

/// <summary>
/// A real SMTP server that keeps what it receives and shows it through its API: smtp4dev, started with Testcontainers
/// from <c>MDRMESH_SMTP4DEV_IMAGE</c> (deploy/test.sh points it at the image deploy/images/build.sh makes) or else the
/// official image. Each test sends to an address of its own and reads back only its own mail.
/// </summary>
public sealed class Smtp4Dev : IAsyncLifetime
{
    public const string DefaultImage = "rnwood/smtp4dev:v3.15.0";
    private const ushort SmtpPort = 25;
    private const ushort HttpPort = 80;

    private readonly IContainer _container = new ContainerBuilder(
            Environment.GetEnvironmentVariable("MDRMESH_SMTP4DEV_IMAGE") is { Length: > 0 } image ? image : DefaultImage)
        .WithPortBinding(SmtpPort, true)
        .WithPortBinding(HttpPort, true)
        .WithLabel("mdrmesh.test", "true")
        // Its web API starts after its SMTP server: once the API answers, mail can be sent.
        .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(HttpPort).ForPath("/api/messages"),
            w => w.WithTimeout(TimeSpan.FromMinutes(2))))
        .Build();

    private HttpClient _api = null!;

    public string Host => _container.Hostname;
    public int Port => _container.GetMappedPublicPort(SmtpPort);

    public async Task InitializeAsync()
    {
        await _container.StartAsync();
        _api = new HttpClient { BaseAddress = new Uri($"http://{_container.Hostname}:{_container.GetMappedPublicPort(HttpPort)}/") };
    }

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        // Ryuk cannot be pulled where no registry is reachable: the container is removed here.
        await _container.DisposeAsync();
    }

    /// <summary>The one message delivered to <paramref name="to"/>, as received (raw MIME, parsed), polled for until it
    /// arrives or <paramref name="within"/> passes.</summary>
    public async Task<MimeMessage> ReceivedAsync(string to, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var page = await _api.GetFromJsonAsync<JsonElement>("api/messages?pageSize=500");
            var ids = page.GetProperty("results").EnumerateArray()
                .Where(m => m.GetProperty("to").EnumerateArray().Any(t => string.Equals(t.GetString(), to, StringComparison.OrdinalIgnoreCase)))
                .Select(m => m.GetProperty("id").GetString()!)
                .ToList();
            if (ids.Count > 1) Assert.Fail($"{ids.Count} messages to {to}; expected one");
            if (ids.Count == 1)
            {
                await using var raw = await _api.GetStreamAsync($"api/messages/{ids[0]}/raw");
                return await MimeMessage.LoadAsync(raw);
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"no message to {to} within {within}");
            await Task.Delay(20);
        }
    }
}
