namespace MdrMesh.Notifications.Subscribing;

/// <summary><c>notifications/subscriptions/create</c>: <c>channel</c> WEBHOOK (target an http(s) URL) or EMAIL (an address).</summary>
/// <c>digest_threshold</c>: more notifications than this in one minute go as one digest (default 10; a SOAR that wants each one may raise it).
public sealed record CreateSubscriptionRequest(string? TenantId, string? Channel, string? Target, List<string?>? Events, string? Language,
    int? DigestThreshold);

public sealed record ListSubscriptionsRequest(string? TenantId, int? Page, int? PageSize);

/// <summary>Any field left out stays as it is; <c>enabled: true</c> turns a disabled subscription back on.</summary>
public sealed record UpdateSubscriptionRequest(string? TenantId, string? SubscriptionId, string? Target, List<string?>? Events, string? Language,
    bool? Enabled, int? DigestThreshold);

/// <summary><c>delete</c> and <c>test</c> name one subscription.</summary>
public sealed record SubscriptionRequest(string? TenantId, string? SubscriptionId);

/// <summary>A subscription as the API shows it; <see cref="Secret"/> only in the answer to <c>create</c> of a webhook.</summary>
public sealed record SubscriptionView(
    string SubscriptionId,
    string TenantId,
    string Channel,
    string Target,
    IReadOnlyList<string> Events,
    string Language,
    bool Enabled,
    string? DisabledReason,
    int DigestThreshold,
    long CreateTime,
    string CreatedBy,
    string? Secret = null);
