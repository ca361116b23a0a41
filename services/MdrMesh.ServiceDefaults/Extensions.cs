using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MdrMesh.ServiceDefaults;

public static class Extensions
{
    /// <summary>
    /// The service's own Marten store: its own schema, conjoined tenancy for events and documents,
    /// the relay subscription that publishes committed events, and the async daemon that runs it.
    /// Config: <c>ConnectionStrings:Postgres</c>; <c>Marten:Daemon</c> = <c>Disabled</c> stops the relay (tests of crashes).
    /// </summary>
    public static void AddMdrMarten<TMap>(this WebApplicationBuilder builder, string schema, Action<StoreOptions> configure)
        where TMap : class, IMessageMap
    {
        builder.Services.AddSingleton<IMessageMap, TMap>();
        var daemon = builder.Configuration["Marten:Daemon"] == "Disabled" ? DaemonMode.Disabled : DaemonMode.HotCold;
        builder.Services.AddSampledGauge(SampledGauges.RelayLag(schema));
        builder.Services.AddSingleton(RelaySettings.From(builder.Configuration));
        builder.Services.AddSingleton<RelayState>();
        builder.Services.AddHealthChecks()
            .AddCheck<RelayHealthCheck>("relay", tags: [Health.Ready])
            .AddCheck<RelayLivenessCheck>("relay-live", tags: [Health.Live]);
        if (daemon != DaemonMode.Disabled) builder.Services.AddHostedService<RelayWatchdog>();
        builder.AddMdrMarten(schema, configure)
            .AddSubscriptionWithServices<MessageRelay>(ServiceLifetime.Singleton, _ => { })
            .AddAsyncDaemon(daemon);
    }

    /// <summary>A Marten store of the service's own, for a service that announces nothing (no relay).</summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddMdrMarten(this WebApplicationBuilder builder, string schema,
        Action<StoreOptions> configure)
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set."))
        {
            // A pooled connection is not reset (DISCARD ALL) when a session returns it: the resets were more than half of
            // all transactions (27 per response), and nothing here leaves session state behind — Marten's sessions set
            // nothing, the daemon's leadership locks (session advisory locks) are released before their connection is,
            // and a broken connection is never pooled.
            NoResetOnClose = true,
        }.ConnectionString;
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [Health.Ready]);
        return builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = schema;
                options.Events.DatabaseSchemaName = schema;
                options.Events.TenancyStyle = TenancyStyle.Conjoined;
                // Events carry the trace that appended them (traceparent), for the relay to continue it.
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Policies.AllDocumentsAreMultiTenanted();
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // PostgreSQL's jsonb reorders keys, so a type discriminator is not always first.
                options.UseSystemTextJsonForSerialization(configure: json => json.AllowOutOfOrderMetadataProperties = true);
                // An event the relay cannot read must stop it, loudly, rather than be skipped: nothing is lost silently.
                options.Projections.Errors.SkipSerializationErrors = false;
                options.Projections.Errors.SkipUnknownEvents = false;
                // 50 ms between polls while events come; a caught-up daemon sleeps up to a second unless this
                // service commits events, which wakes it at once (polling every 50 ms while idle cost ~8 % of a core
                // per service and ~20 % of PostgreSQL's).
                options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
                options.Projections.SlowPollingTime = TimeSpan.FromSeconds(1);
                var wakeup = new AppendWakeup(options.Projections.FastPollingTime);
                options.Projections.Wakeup = wakeup;
                options.Listeners.Add(wakeup);
                options.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(250);
                configure(options);
            })
            .ApplyAllDatabaseChangesOnStartup();
    }

    /// <summary>
    /// MassTransit on RabbitMQ (config section <c>RabbitMq</c>: Host, Port, VirtualHost, Username, Password).
    /// Retries in place with backoff, so one queue keeps its order; what still fails goes to the
    /// endpoint's <c>_error</c> queue with its exception.
    /// </summary>
    public static void AddMdrMassTransit(this WebApplicationBuilder builder, Action<IBusRegistrationConfigurator> consumers)
    {
        var rabbit = builder.Configuration.GetSection("RabbitMq");
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit reports usage to an outside host unless told not to: an air-gapped SOC calls nobody.
            bus.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
            consumers(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit["Host"] ?? "localhost", ushort.Parse(rabbit["Port"] ?? "5672"), rabbit["VirtualHost"] ?? "/", h =>
                {
                    h.Username(rabbit["Username"] ?? "guest");
                    h.Password(rabbit["Password"] ?? "guest");
                });
                cfg.UseMessageRetry(r => r.Exponential(6, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
                cfg.ConfigureEndpoints(context);
            });
        });
        // The relay must never publish before the bus is connected.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
    }

    /// <summary>The MDR dialect (snake_case JSON), problem+json errors, an injectable clock, health, traces, metrics and logs.</summary>
    public static void AddMdrApi(this WebApplicationBuilder builder, string service)
    {
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddMdrTelemetry(service);
        // The API's description, from the endpoints themselves (the gateway joins the services' into one).
        // Fields with a fixed set of values list them (enum), from the collections their validation uses.
        builder.Services.AddOpenApi(o => o.AddSchemaTransformer(OneOfAttribute.Describe));
        // A body that does not bind is thrown to the exception handler, which names the field (BindingErrors):
        // otherwise minimal APIs answer a bare 400 and drop the reason.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Bodies of API calls are small JSON; anything larger is refused with 413 before it is read.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
    }

    /// <summary>
    /// For the services behind the gateway: every API request must carry the internal key
    /// (<c>Api:InternalKey</c>) that only the gateway has, so the caller's identity in the headers can
    /// be trusted even if a service's port is reached directly.
    /// </summary>
    public static void UseMdrInternalApi(this WebApplication app)
    {
        var key = app.Configuration["Api:InternalKey"];
        if (string.IsNullOrEmpty(key)) throw new InvalidOperationException("Api:InternalKey is not set: the service would trust any caller.");
        var expected = System.Text.Encoding.UTF8.GetBytes(key);
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                var given = System.Text.Encoding.UTF8.GetBytes(context.Request.Headers[Caller.InternalKeyHeader].ToString());
                if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(given, expected))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await Results.Problem(statusCode: 401, title: "Requests reach this service through the gateway only.").ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        app.UseMdrApi();
        app.MapOpenApi();
    }

    /// <summary>The largest request body the API reads (uploads excepted): 1 MiB.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static void UseMdrApi(this WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var failed = context.Features.Get<IExceptionHandlerFeature>();
            var exception = failed?.Error;
            // The endpoint that failed (the handler's own context has none any more): its request type names the fields.
            var request = failed?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType;
            if (BindingErrors.From(exception, request) is { } errors)
            {
                await ApiProblems.BadRequest(errors).ExecuteAsync(context);
                return;
            }
            var (status, title, detail) = ProblemFor(exception);
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
            await Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
        }));
        app.UseStatusCodePages();
        Health.Map(app);
        Telemetry.MapMetrics(app);
    }

    /// <summary>
    /// What an exception that escaped a handler means to the caller. A body that is not JSON, too
    /// deep or too large is the caller's mistake (400, 413); a database or broker that does not
    /// answer, or is out of connections, is a 503 to retry; a write that kept colliding is a 409.
    /// Only a fault of ours is a 500.
    /// </summary>
    public static (int Status, string Title, string? Detail) ProblemFor(Exception? exception)
    {
        if (exception is BadHttpRequestException bad)
            return (bad.StatusCode, bad.StatusCode == 413 ? "The request body is too large." : "The request body could not be read.",
                bad.StatusCode == 413 ? $"At most {MaxRequestBodyBytes} bytes (attachments/upload: the file limit)." : bad.InnerException?.Message ?? bad.Message);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is JasperFx.ConcurrencyException)
                return (409, "The change conflicts with the current state.", "It was changed concurrently; send it again.");
            // PostgreSQL's own errors are transient only in a few classes; any other (a bad statement, a broken
            // constraint) is a fault of ours, and a retry would meet it again.
            if (e is Npgsql.PostgresException postgres && !IsTransient(postgres.SqlState)) break;
            if (e is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
                return (503, "The service is temporarily unavailable.", "Retry after the time in Retry-After.");
        }
        return (500, "An unexpected error occurred.", null);
    }

    /// <summary>
    /// SQLSTATEs worth a retry: connection problems (08), insufficient resources such as too many
    /// connections (53), the server shutting down or starting (57P), a lock not available, a
    /// serialization failure or deadlock.
    /// </summary>
    public static bool IsTransient(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("53", StringComparison.Ordinal)
        || sqlState.StartsWith("57P", StringComparison.Ordinal) || sqlState is "55P03" or "40001" or "40P01";

    /// <summary>Routes whose handlers throw <typeparamref name="TConflict"/> for a change the current state forbids: 409 problem+json.</summary>
    public static RouteGroupBuilder MapMethodsWithConflicts<TConflict>(this WebApplication app) where TConflict : Exception =>
        (RouteGroupBuilder)app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (TConflict conflict)
            {
                return ApiProblems.Conflict(conflict.Message);
            }
        });

    /// <summary>Waits for the timer's next tick; false once the service stops.</summary>
    public static async Task<bool> NextTickAsync(this PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The route of one API method: <c>POST /api/v1/{client_id}/{method}</c>.</summary>
    public static RouteHandlerBuilder MapMethod(this IEndpointRouteBuilder app, string method, Delegate handler) =>
        app.MapPost($"/api/v1/{{client_id}}/{method}", handler).AddEndpointFilter(InputBounds.Filter);
}
