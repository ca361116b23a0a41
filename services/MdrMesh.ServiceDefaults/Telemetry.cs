using System.Diagnostics;
using System.Diagnostics.Metrics;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Traces, metrics and logs of a service. Traces follow a response across services: HTTP carries
/// W3C <c>traceparent</c> (gateway → service), RabbitMQ carries it in message headers (MassTransit),
/// and the relay hop carries it in the event's own headers, so the message a committed event
/// announces continues the trace of the request or message that appended it.
/// </summary>
public static class Telemetry
{
    public const string Name = "MdrMesh";
    public const string TraceParent = "traceparent";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>
    /// OpenTelemetry for ASP.NET Core, HttpClient, MassTransit, Marten, Npgsql and MdrMesh's own
    /// sources; metrics for Prometheus (<c>/metrics</c>); OTLP export only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
    /// is set (the exporter reads the other standard <c>OTEL_*</c> variables itself). Logs: JSON on
    /// stdout with trace and span ids, or one readable line each with <c>Logging:Format</c> = <c>simple</c>
    /// (the default when the environment is Development).
    /// </summary>
    public static void AddMdrTelemetry(this WebApplicationBuilder builder, string service)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(service))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(Name, "MassTransit", "Marten", "Npgsql"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Name, "MassTransit", "Marten", "Npgsql")
                .AddPrometheusExporter());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) telemetry.UseOtlpExporter();

        // Defaults below every other source, so configuration (Logging__LogLevel__*) overrides them: a line per
        // request, per outgoing HTTP call or per relayed page is noise in a SOC's log pipeline, and it cost CPU and disk
        // (measured under load: the gateway's proxy wrote two lines a request, each relay one a page; README "Logs").
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = QuietByDefault.Select(category => KeyValuePair.Create($"Logging:LogLevel:{category}", (string?)"Warning"))
                .Append(KeyValuePair.Create("Logging:LogLevel:Default", (string?)"Information")),
        });
        var format = builder.Configuration["Logging:Format"] ?? (builder.Environment.IsDevelopment() ? "simple" : "json");
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (format == "simple")
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        else
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
    }

    /// <summary>
    /// The log categories that would write a record per call or per message (ASP.NET Core's requests, the gateway's
    /// forwarding, outgoing HTTP calls, each page a relay publishes): Warning unless configuration says otherwise.
    /// </summary>
    public static readonly IReadOnlyList<string> QuietByDefault = ["Microsoft.AspNetCore", "Yarp", "Marten.Events.Daemon", "System.Net.Http.HttpClient"];

    /// <summary>
    /// <c>/metrics</c> for Prometheus. With <c>Metrics:Port</c> set, the connection's local port decides (never the
    /// Host header, which the caller writes): that port serves <c>/metrics</c> and nothing else, every other port
    /// answers 404 for it, so the gateway's public port never serves it (compose sets 9464 and publishes only the API port).
    /// </summary>
    public static void MapMetrics(WebApplication app)
    {
        if (app.Configuration.GetValue<int?>("Metrics:Port") is { } metricsPort)
            app.Use(async (context, next) =>
            {
                if ((context.Connection.LocalPort == metricsPort) != context.Request.Path.StartsWithSegments("/metrics"))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                await next(context);
            });
        app.MapPrometheusScrapingEndpoint();
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    /// <summary>The events this session commits continue the current trace (their relay publishes under it).</summary>
    public static void CarryTrace(this IDocumentSession session)
    {
        if (Activity.Current?.Id is { } id) session.SetHeader(TraceParent, id);
    }

    /// <summary>An event to append that continues the trace <paramref name="traceParent"/> (for commits that batch several callers' changes).</summary>
    public static object Traced(this IDocumentSession session, object data, string? traceParent) =>
        traceParent is null ? data : session.Events.BuildEvent(data).WithHeader(TraceParent, traceParent);

    /// <summary>The relay's span for publishing a committed event: a child of the span that appended it, when it carried one.</summary>
    public static Activity? StartRelayActivity(IEvent @event, Type message)
    {
        object? header = null;
        var parent = @event.Headers?.TryGetValue(TraceParent, out header) == true
                     && ActivityContext.TryParse(header?.ToString(), null, out var context)
            ? context
            : default;
        return Source.StartActivity($"relay {message.Name}", ActivityKind.Internal, parent);
    }
}
