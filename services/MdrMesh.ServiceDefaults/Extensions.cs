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
        builder.AddMdrMarten(schema, configure)
            .AddSubscriptionWithServices<MessageRelay>(ServiceLifetime.Singleton, _ => { })
            .AddAsyncDaemon(daemon);
    }

    /// <summary>A Marten store of the service's own, for a service that announces nothing (no relay).</summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddMdrMarten(this WebApplicationBuilder builder, string schema,
        Action<StoreOptions> configure)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set.");
        return builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = schema;
                options.Events.DatabaseSchemaName = schema;
                options.Events.TenancyStyle = TenancyStyle.Conjoined;
                options.Policies.AllDocumentsAreMultiTenanted();
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // PostgreSQL's jsonb reorders keys, so a type discriminator is not always first.
                options.UseSystemTextJsonForSerialization(configure: json => json.AllowOutOfOrderMetadataProperties = true);
                // An event the relay cannot read must stop it, loudly, rather than be skipped: nothing is lost silently.
                options.Projections.Errors.SkipSerializationErrors = false;
                options.Projections.Errors.SkipUnknownEvents = false;
                // Measured here: 50 ms polling keeps commit-to-consumer latency near 30 ms at ~5% of a core.
                options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
                options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(50);
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

    /// <summary>The MDR dialect (snake_case JSON), problem+json errors, an injectable clock and a health endpoint.</summary>
    public static void AddMdrApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
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
    }

    public static void UseMdrApi(this WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            // A body that is not JSON, or not of the expected shape, is the caller's mistake.
            var status = exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
            context.Response.StatusCode = status;
            await Results.Problem(statusCode: status,
                title: status == 500 ? "An unexpected error occurred." : "The request body could not be read.",
                detail: status == 500 ? null : exception?.InnerException?.Message ?? exception?.Message).ExecuteAsync(context);
        }));
        app.UseStatusCodePages();
        app.MapHealthChecks("/health");
    }

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
        app.MapPost($"/api/v1/{{client_id}}/{method}", handler);
}
