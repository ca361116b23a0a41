using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using MdrMesh.Notifications;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MdrMesh.Services.Tests.Notifications;

public class WebhookSenderTests
{
    private const string Body = """{"type":"subscription.test","timestamp":"2026-12-06T10:00:00Z","data":{}}""";

    [Fact]
    public async Task Loopback_is_refused_at_connect_time_unless_allowed()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Results.Ok());
        using var sender = Sender(allowed: []);
        var secret = WebhookSignature.NewSecret();

        var byAddress = await sender.Value.SendAsync(receiver.Url("/in"), secret, Body, Guid.NewGuid(), CancellationToken.None);
        Assert.False(byAddress.Delivered);
        Assert.Equal("refused: 127.0.0.1 is an internal address", byAddress.Error);

        var byName = await sender.Value.SendAsync(new Uri($"http://localhost:{receiver.Port}/in"), secret, Body, Guid.NewGuid(), CancellationToken.None);
        Assert.False(byName.Delivered);
        Assert.StartsWith("refused: localhost resolves to internal address ", byName.Error);

        Assert.Empty(receiver.Calls);
    }

    [Fact]
    public async Task An_allowed_receiver_gets_a_signed_post_it_can_verify()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Results.NoContent());
        using var sender = Sender(allowed: ["127.0.0.1"]);
        var secret = WebhookSignature.NewSecret();
        var id = Guid.NewGuid();

        var result = await sender.Value.SendAsync(receiver.Url("/in"), secret, Body, id, CancellationToken.None);

        Assert.Equal(new WebhookResult(true, 204, null), result);
        var call = Assert.Single(receiver.Calls);
        Assert.Equal("POST", call.Method);
        Assert.Equal("/in", call.Path);
        Assert.Equal(id.ToString(), call.Id);
        Assert.Equal("MdrMesh-Webhooks/1", call.UserAgent);
        Assert.StartsWith("application/json", call.ContentType);
        Assert.Equal(Body, call.Body);
        var timestamp = long.Parse(call.Timestamp!);
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.True(WebhookSignature.Verify(secret, call.Id!, timestamp, call.Body, call.Signature!));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), call.Id!, timestamp, call.Body, call.Signature!));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_the_same_webhook_id()
    {
        await using var receiver = await Receiver.StartAsync((n, _) => n <= 2 ? Results.StatusCode(500) : Results.Ok());
        using var sender = Sender(allowed: ["127.0.0.1"]);
        var id = Guid.NewGuid();

        var result = await sender.Value.SendAsync(receiver.Url("/in"), WebhookSignature.NewSecret(), Body, id, CancellationToken.None);

        Assert.True(result.Delivered);
        Assert.Equal(3, receiver.Calls.Count);
        Assert.All(receiver.Calls, c => Assert.Equal(id.ToString(), c.Id));
        Assert.All(receiver.Calls, c => Assert.Equal(Body, c.Body));
    }

    [Fact]
    public async Task Errors_that_stay_are_reported_without_the_secret()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Results.StatusCode(503));
        using var sender = Sender(allowed: ["127.0.0.1"]);
        var secret = WebhookSignature.NewSecret();

        var result = await sender.Value.SendAsync(receiver.Url("/in"), secret, Body, Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(WebhookResult.Failed("HTTP 503", 503), result);
        Assert.Equal(3, receiver.Calls.Count);
        Assert.DoesNotContain(secret, result.Error);
        Assert.DoesNotContain(receiver.Calls[0].Signature!, result.Error);
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        await using var receiver = await Receiver.StartAsync((_, _) => Results.StatusCode(404));
        using var sender = Sender(allowed: ["127.0.0.1"]);

        var result = await sender.Value.SendAsync(receiver.Url("/in"), WebhookSignature.NewSecret(), Body, Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(WebhookResult.Failed("HTTP 404", 404), result);
        Assert.Single(receiver.Calls);
    }

    [Fact]
    public async Task A_receiver_too_slow_fails_as_timed_out()
    {
        var release = new TaskCompletionSource();
        await using var receiver = await Receiver.StartAsync(async (_, context) =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            return Results.Ok();
        });
        using var sender = Sender(allowed: ["127.0.0.1"], attemptTimeout: "00:00:00.3");

        var result = await sender.Value.SendAsync(receiver.Url("/in"), WebhookSignature.NewSecret(), Body, Guid.NewGuid(), CancellationToken.None);
        release.SetResult();

        Assert.False(result.Delivered);
        Assert.Equal("timed out after 0.3 s", result.Error);
        // Tried again after each time-out; on a loaded machine a try may time out before it even reaches the receiver.
        await Until(() => receiver.Calls.Count >= 1);
        Assert.InRange(receiver.Calls.Count, 1, 3);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        await using var receiver = await Receiver.StartAsync((_, context) =>
            context.Request.Path == "/in" ? Results.Redirect("/elsewhere", permanent: true) : Results.Ok());
        using var sender = Sender(allowed: ["127.0.0.1"]);

        var result = await sender.Value.SendAsync(receiver.Url("/in"), WebhookSignature.NewSecret(), Body, Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(WebhookResult.Failed("redirect not followed (HTTP 301)", 301), result);
        Assert.Equal("/in", Assert.Single(receiver.Calls).Path);
    }

    [Fact]
    public async Task A_closed_port_fails_as_a_connection_failure()
    {
        int port;
        await using (var receiver = await Receiver.StartAsync((_, _) => Results.Ok())) port = receiver.Port;
        using var sender = Sender(allowed: ["127.0.0.1"]);

        var result = await sender.Value.SendAsync(new Uri($"http://127.0.0.1:{port}/in"), WebhookSignature.NewSecret(), Body, Guid.NewGuid(), CancellationToken.None);

        Assert.Equal(WebhookResult.Failed("connection failed: ConnectionRefused"), result);
    }

    [Fact]
    public void The_body_is_the_standard_webhooks_shape()
    {
        var notification = new Notification(
            Guid.NewGuid(), NotificationTypes.IncidentCreated, new DateTimeOffset(2026, 12, 6, 13, 0, 1, 250, TimeSpan.FromHours(3)),
            new JsonObject { ["incident_id"] = "inc-1", ["title"] = "Ransomware on host-7" });

        var body = JsonNode.Parse(WebhookSender.Body(notification))!.AsObject();

        Assert.Equal(["type", "timestamp", "data"], body.Select(p => p.Key));
        Assert.Equal("incident.created", (string?)body["type"]);
        Assert.Equal("2026-12-06T10:00:01.25Z", (string?)body["timestamp"]);
        Assert.True(JsonNode.DeepEquals(notification.Data, body["data"]));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not come true in 10 s");
            await Task.Delay(20);
        }
    }

    /// <summary>A sender as the service builds it; disposing it disposes its container.</summary>
    private static Owned<WebhookSender> Sender(string[] allowed, string attemptTimeout = "00:00:05")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Webhooks:AttemptTimeout"] = attemptTimeout,
            ["Notifications:Webhooks:RetryDelay"] = "00:00:00.02",
        };
        for (var i = 0; i < allowed.Length; i++) settings[$"Notifications:AllowedHosts:{i}"] = allowed[i];
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.Configure<NotificationsOptions>(configuration.GetSection("Notifications"));
        services.AddWebhooks(configuration);
        var provider = services.BuildServiceProvider();
        return new Owned<WebhookSender>(provider.GetRequiredService<WebhookSender>(), provider);
    }

    private sealed record Owned<T>(T Value, IDisposable Owner) : IDisposable
    {
        public void Dispose() => Owner.Dispose();
    }

    private sealed record Call(string Method, string Path, string? Id, string? Timestamp, string? Signature, string? UserAgent, string? ContentType, string Body);

    /// <summary>A Kestrel on 127.0.0.1 (a free port) answering every request with <c>respond(call number, context)</c>.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<Call> _calls = new();

        private Receiver(WebApplication app) => _app = app;

        public IReadOnlyList<Call> Calls => [.. _calls];
        public int Port { get; private set; }
        public Uri Url(string path) => new($"http://127.0.0.1:{Port}{path}");

        public static Task<Receiver> StartAsync(Func<int, HttpContext, IResult> respond) =>
            StartAsync((n, context) => Task.FromResult(respond(n, context)));

        public static async Task<Receiver> StartAsync(Func<int, HttpContext, Task<IResult>> respond)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var receiver = new Receiver(app);
            var count = 0;
            app.Run(async context =>
            {
                var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
                var headers = context.Request.Headers;
                receiver._calls.Enqueue(new Call(context.Request.Method, context.Request.Path, headers["webhook-id"], headers["webhook-timestamp"],
                    headers["webhook-signature"], headers.UserAgent, context.Request.ContentType, body));
                await (await respond(Interlocked.Increment(ref count), context)).ExecuteAsync(context);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            receiver.Port = new Uri(address).Port;
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
