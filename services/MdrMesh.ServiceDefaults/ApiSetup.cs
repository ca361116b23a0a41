using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.ServiceDefaults;

public static partial class Extensions
{
    /// <summary>The MDR dialect (snake_case JSON), problem+json errors, an injectable clock, health, traces, metrics and logs.</summary>
    public static void AddMdrApi(this WebApplicationBuilder builder, string service)
    {
        builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MappedMethods>();
        // A stop waits this long for requests, consumers and loops in flight (see Shutdown) instead of .NET's default.
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = Shutdown.TimeoutOf(builder.Configuration));
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
            // What fails while the service stops (a store already disposed, a query cut off) fails because of the stop:
            // the caller is told to come back, and the gateway passes the 503 with its Retry-After on.
            if (status == StatusCodes.Status500InternalServerError
                && context.RequestServices.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
                (status, title, detail) = (StatusCodes.Status503ServiceUnavailable, "The service is restarting.", "Retry after the time in Retry-After.");
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
}
