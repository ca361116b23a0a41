using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;

namespace MdrMesh.Notifications.Webhooks;

/// <summary>Settings of section <c>Notifications:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>How long one attempt may take, connecting included.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one send may take, its retries and their waits included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first retry's wait, doubled for the second (with jitter).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}

public static class WebhookSetup
{
    public const string Section = "Notifications:Webhooks";

    /// <summary>
    /// <see cref="WebhookSender"/> and <see cref="TargetGuard"/>. The guard's allowlist is
    /// <c>Notifications:AllowedHosts</c> (<see cref="WebhookSetup.AllowedHostsOf"/>); empty: public addresses only.
    /// </summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(Section));
        services.AddOptions<NotificationsOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new TargetGuard(AllowedHostsOf(configuration)));

        services.AddHttpClient<WebhookSender>(client => client.Timeout = Timeout.InfiniteTimeSpan) // the pipeline's total timeout bounds a send
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // A redirect could point anywhere, an internal address included; the subscriber fixes its URL instead.
                AllowAutoRedirect = false,
                ConnectCallback = sp.GetRequiredService<TargetGuard>().ConnectAsync,
                // Pooled connections were checked when made: renewing them lets a changed DNS answer be checked again.
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                UseCookies = false,
                // Through a proxy the guard would judge the proxy's address, not the subscriber's.
                UseProxy = false,
            })
            .AddResilienceHandler("webhooks", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>().Value;
                pipeline
                    .AddTimeout(options.TotalTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = 2, // three attempts in all
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryDelay,
                        // A long Retry-After would only turn "HTTP 429" into a time-out here; the delivery's own
                        // schedule spaces the later attempts.
                        ShouldRetryAfterHeader = false,
                        // 5xx, 408, 429, connection failures and attempt time-outs; a refused target stays refused.
                        ShouldHandle = args => ValueTask.FromResult(
                            WebhookSender.Refusal(args.Outcome.Exception) is null && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
                    })
                    .AddTimeout(options.AttemptTimeout);
            });
        return services;
    }

    /// <summary>
    /// <c>Notifications:AllowedHosts</c> as a list (<c>AllowedHosts:0</c>, <c>:1</c>, ...) or as one value separated by commas,
    /// as an environment variable gives it (<c>MDRMESH_NOTIFICATIONS_ALLOWED_HOSTS=soar.corp,10.20.0.0/16</c>): the
    /// configuration binder would silently drop the latter for a list.
    /// </summary>
    public static IReadOnlyList<string> AllowedHostsOf(IConfiguration configuration)
    {
        var section = configuration.GetSection("Notifications:AllowedHosts");
        var values = section.Value is { } one ? [one] : section.GetChildren().Select(c => c.Value ?? "");
        return [.. values.SelectMany(v => v.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }
}
