using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace MdrMesh.Gateway;

/// <summary>
/// A token bucket per connection (authenticated calls, by client id) and per remote address
/// (<c>session/confirm</c>): <c>RateLimiting:PermitsPerSecond</c> (default 250) refill a bucket of
/// <c>RateLimiting:Burst</c> (default 500). Past it: 429 problem+json with <c>Retry-After</c>.
/// </summary>
public static class GatewayRateLimiting
{
    public const string PerConnection = "per-connection";
    public const string PerAddress = "per-address";

    public static void AddGatewayRateLimiting(this WebApplicationBuilder builder)
    {
        var permits = builder.Configuration.GetValue("RateLimiting:PermitsPerSecond", 250);
        var burst = builder.Configuration.GetValue("RateLimiting:Burst", 500);
        TokenBucketRateLimiterOptions Bucket(string _) => new()
        {
            TokenLimit = burst, TokensPerPeriod = permits, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        };
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Runs after authorization: only an authenticated caller reaches here, so the id is theirs.
            options.AddPolicy(PerConnection, context =>
                RateLimitPartition.GetTokenBucketLimiter(context.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", Bucket));
            options.AddPolicy(PerAddress, context =>
                RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "", Bucket));
            options.OnRejected = async (rejected, _) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.",
                    detail: $"At most {permits} per second (bursts of {burst}); retry after the time in Retry-After.").ExecuteAsync(rejected.HttpContext);
            };
        });
    }
}
