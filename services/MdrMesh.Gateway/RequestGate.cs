using System.Threading.RateLimiting;

namespace MdrMesh.Gateway;

/// <summary>
/// At most <c>Gateway:MaxConcurrentRequests</c> (default 32) requests in flight, the rest queued
/// (<c>Gateway:RequestQueue</c>, default 2000) in order of arrival; past the queue, 503 with
/// Retry-After. A burst of hundreds of calls then reaches the databases as a steady stream instead
/// of hundreds of connections opened at once, which PostgreSQL answers with timeouts. It stands
/// before authentication, since authenticating is itself a database read.
/// </summary>
public static class RequestGate
{
    public static void UseRequestGate(this WebApplication app)
    {
        var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = app.Configuration.GetValue("Gateway:MaxConcurrentRequests", 32),
            QueueLimit = app.Configuration.GetValue("Gateway:RequestQueue", 2000),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        app.Use(async (context, next) =>
        {
            // Every path but the health probe, whatever its spelling: a path that only resembles /api/ must not pass around the gate.
            if (context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }
            using var lease = await limiter.AcquireAsync(1, context.RequestAborted);
            if (!lease.IsAcquired)
            {
                await Unavailable.Problem(503, "The gateway is at capacity.", 1).ExecuteAsync(context);
                return;
            }
            await next(context);
        });
    }
}
