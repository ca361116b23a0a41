using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MdrMesh.Testing;

/// <summary>
/// A customer's webhook endpoint: a real HTTP server on a loopback port that records every call (headers and body) and
/// answers what the test says — a status (<see cref="Answer"/>), or nothing until <see cref="Release"/> (a hung receiver).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public sealed record Call(string Id, string Timestamp, string Signature, string Body, int AnsweredWith)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
        public string Type => Json["type"]!.GetValue<string>();
    }

    public ConcurrentQueue<Call> Calls { get; } = new();

    /// <summary>The status every call is answered with (200 unless set).</summary>
    public int Answer { get; set; } = 200;

    /// <summary>While true, calls wait (unanswered) until <see cref="Release"/>.</summary>
    public bool Hang { get; set; }

    public string Url { get; }

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks/mdrmesh";
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hooks/mdrmesh", async (HttpContext context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            if (receiver!.Hang) await receiver._released.Task.WaitAsync(context.RequestAborted);
            var status = receiver.Answer;
            receiver.Calls.Enqueue(new Call(context.Request.Headers["webhook-id"].ToString(), context.Request.Headers["webhook-timestamp"].ToString(),
                context.Request.Headers["webhook-signature"].ToString(), body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver = new WebhookReceiver(app);
    }

    public void Release()
    {
        Hang = false;
        _released.TrySetResult();
        _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The calls answered 2xx, of one notification type.</summary>
    public List<Call> Delivered(string type) => [.. Calls.Where(c => c.AnsweredWith is >= 200 and < 300 && c.Type == type)];

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.DisposeAsync();
    }
}
