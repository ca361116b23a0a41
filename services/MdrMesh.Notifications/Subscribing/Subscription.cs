namespace MdrMesh.Notifications.Subscribing;

public enum Channel { Webhook, Email }

public enum Language { En, Ru }

/// <summary>
/// One tenant's wish to hear of some events: by webhook (signed with <see cref="SealedSecret"/>, which is stored
/// sealed and shown once, when created) or by e-mail. A subscription whose deliveries failed for the whole retry
/// window is disabled (<see cref="DisabledReason"/>) until updated with <c>enabled: true</c>.
/// </summary>
public sealed record Subscription
{
    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public Channel Channel { get; init; }
    public string Target { get; init; } = "";
    public IReadOnlyList<string> Events { get; init; } = [];
    public Language Language { get; init; }
    public string? SealedSecret { get; init; }
    public bool Enabled { get; init; } = true;
    /// <summary>More notifications than this in one minute become a digest; null: the installation's default.</summary>
    public int? DigestThreshold { get; init; }
    public string? DisabledReason { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string CreatedBy { get; init; } = "";
    public DateTimeOffset ChangedAt { get; init; }
    /// <summary>When it was last turned on: failures before then do not count towards disabling it again.</summary>
    public DateTimeOffset EnabledAt { get; init; }
}

/// <summary>
/// What the sender keeps of one subscription (written by the sender only, so it never overwrites a change made through
/// the API): the minute its sends are counted in and how many went out in it (the digest's threshold), and since when
/// every delivery to it has failed (null once one succeeds).
/// </summary>
public sealed record SubscriptionState
{
    public Guid Id { get; init; }
    public DateTimeOffset WindowStart { get; init; }
    public int SentInWindow { get; init; }
    public DateTimeOffset? FailingSince { get; init; }
}
