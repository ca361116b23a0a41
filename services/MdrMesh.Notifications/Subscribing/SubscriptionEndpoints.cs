using System.Net.Mail;
using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.Notifications.Delivering;
using MdrMesh.Notifications.Notifying;
using MdrMesh.Notifications.Webhooks;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Notifications.Subscribing;

/// <summary>
/// <c>notifications/subscriptions/create</c>, <c>list</c>, <c>update</c>, <c>delete</c>, <c>test</c>: one tenant's
/// subscriptions. A tenant the connection does not reach, or a subscription that is not the tenant's, is a 404.
/// </summary>
public static class SubscriptionEndpoints
{
    public const int MaxPerTenant = 20;
    public const int MaxTarget = 2048;
    public const int MaxEmail = 254;
    public const int MaxDigestThreshold = 10_000;
    private static readonly string[] Channels = ["WEBHOOK", "EMAIL"];
    private static readonly string[] Languages = ["en", "ru"];

    public static async Task<IResult> Create(CreateSubscriptionRequest request, Caller caller, IDocumentStore store, TargetGuard guard,
        SecretSealer sealer, TimeProvider clock, IOptions<NotificationsOptions> options, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        var channelOk = new Check(errors, "channel").OneOf(request.Channel, Channels);
        var events = EventsOf(request.Events, new Check(errors, "events"), required: true);
        new Check(errors, "language").OneOf(request.Language, Languages, required: false);
        new Check(errors, "digest_threshold").InRange(request.DigestThreshold, 1, MaxDigestThreshold, required: false);
        if (channelOk) await CheckTargetAsync(ChannelOf(request.Channel!), request.Target, new Check(errors, "target"), guard, ct);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var session = store.LightweightSession(tenant!);
        if (await session.Query<Subscription>().CountAsync(ct) >= MaxPerTenant)
            return ApiProblems.Conflict($"The tenant has {MaxPerTenant} subscriptions, the most it may have: delete one first.");
        var channel = ChannelOf(request.Channel!);
        var id = Guid.NewGuid();
        var secret = channel == Channel.Webhook ? WebhookSignature.NewSecret() : null;
        var now = clock.GetUtcNow();
        var subscription = new Subscription
        {
            Id = id, TenantId = tenant!, Channel = channel, Target = request.Target!.Trim(), Events = events!, Language = LanguageOf(request.Language),
            SealedSecret = secret is null ? null : sealer.Seal(secret, id), CreatedAt = now, CreatedBy = caller.Name, ChangedAt = now, EnabledAt = now,
            DigestThreshold = request.DigestThreshold,
        };
        session.Insert(subscription);
        await session.SaveChangesAsync(ct);
        return Results.Ok(View(subscription, options.Value) with { Secret = secret });
    }

    public static async Task<IResult> List(ListSubscriptionsRequest? request, Caller caller, IDocumentStore store, IOptions<NotificationsOptions> options,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request?.TenantId, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var query = store.QuerySession(tenant!);
        var all = await query.Query<Subscription>().ToListAsync(ct);
        return Results.Ok(Paging.Page(all.OrderBy(s => s.CreatedAt).Select(s => View(s, options.Value)), request?.Page, request?.PageSize));
    }

    public static async Task<IResult> Update(UpdateSubscriptionRequest request, Caller caller, IDocumentStore store, TargetGuard guard,
        TimeProvider clock, IOptions<NotificationsOptions> options, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        var id = IdOf(request.SubscriptionId, new Check(errors, "subscription_id"));
        var events = EventsOf(request.Events, new Check(errors, "events"), required: false);
        new Check(errors, "language").OneOf(request.Language, Languages, required: false);
        new Check(errors, "digest_threshold").InRange(request.DigestThreshold, 1, MaxDigestThreshold, required: false);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var session = store.LightweightSession(tenant!);
        if (await session.LoadAsync<Subscription>(id!.Value, ct) is not { } subscription) return ApiProblems.NotFound("The subscription");
        if (request.Target is not null && !await CheckTargetAsync(subscription.Channel, request.Target, new Check(errors, "target"), guard, ct))
            return ApiProblems.BadRequest(errors);

        var enabling = request.Enabled == true && !subscription.Enabled;
        var updated = subscription with
        {
            Target = request.Target?.Trim() ?? subscription.Target,
            Events = events ?? subscription.Events,
            Language = request.Language is null ? subscription.Language : LanguageOf(request.Language),
            Enabled = request.Enabled ?? subscription.Enabled,
            DisabledReason = request.Enabled is null ? subscription.DisabledReason : request.Enabled.Value ? null : "disabled by " + caller.Name,
            EnabledAt = enabling ? clock.GetUtcNow() : subscription.EnabledAt,
            DigestThreshold = request.DigestThreshold ?? subscription.DigestThreshold,
            ChangedAt = clock.GetUtcNow(),
        };
        session.Store(updated);
        await session.SaveChangesAsync(ct);
        return Results.Ok(View(updated, options.Value));
    }

    /// <summary>Deletes a subscription; deliveries still waiting for it are given up (the log keeps them).</summary>
    public static async Task<IResult> Delete(SubscriptionRequest request, Caller caller, IDocumentStore store, IOptions<NotificationsOptions> options,
        CancellationToken ct)
    {
        var (tenant, id, problem) = Named(request, caller);
        if (problem is not null) return problem;

        await using var session = store.LightweightSession(tenant!);
        if (await session.LoadAsync<Subscription>(id!.Value, ct) is not { } subscription) return ApiProblems.NotFound("The subscription");
        session.Delete(subscription);
        await session.SaveChangesAsync(ct);
        return Results.Ok(View(subscription, options.Value));
    }

    /// <summary>Sends a <c>subscription.test</c> notification at once (whatever events it names); its delivery shows in the log.</summary>
    public static async Task<IResult> Test(SubscriptionRequest request, Caller caller, IDocumentStore store, TimeProvider clock, DeliveryWakeup wakeup,
        CancellationToken ct)
    {
        var (tenant, id, problem) = Named(request, caller);
        if (problem is not null) return problem;

        await using var session = store.LightweightSession(tenant!);
        if (await session.LoadAsync<Subscription>(id!.Value, ct) is null) return ApiProblems.NotFound("The subscription");
        var now = clock.GetUtcNow();
        var notification = NotificationMap.Test(id.Value, tenant!, Guid.NewGuid(), now);
        var delivery = Delivery.Pending(NotificationMap.DeliveryId(notification.Id, id.Value), tenant!, id.Value, notification, now);
        session.Insert(delivery);
        await session.SaveChangesAsync(ct);
        wakeup.Wake();
        return Results.Ok(DeliveryEndpoints.View(delivery));
    }


    internal static Guid? IdOf(string? value, Check at)
    {
        if (!at.Required(value)) return null;
        if (Guid.TryParse(value, out var id)) return id;
        at.Fail("must be an id as returned by the API");
        return null;
    }

    private static (string? Tenant, Guid? Id, IResult? Problem) Named(SubscriptionRequest request, Caller caller)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        var id = IdOf(request.SubscriptionId, new Check(errors, "subscription_id"));
        if (errors.Count > 0) return (null, null, ApiProblems.BadRequest(errors));
        return caller.CanReach(tenant!) ? (tenant, id, null) : (null, null, ApiProblems.NotFound("The tenant"));
    }

    private static List<string>? EventsOf(List<string?>? events, Check at, bool required)
    {
        if (events is null)
        {
            if (required) at.Fail($"is required: one or more of {string.Join(", ", NotificationTypes.Subscribable)}");
            return null;
        }
        if (events.Count == 0 || events.Count > NotificationTypes.Subscribable.Count)
        {
            at.Fail($"must name 1 to {NotificationTypes.Subscribable.Count} of {string.Join(", ", NotificationTypes.Subscribable)}");
            return null;
        }
        if (!at.ItemsOneOf(events, [.. NotificationTypes.Subscribable])) return null;
        return events.Distinct().ToList()!;
    }

    /// <summary>A webhook's URL must be http(s) and reach no internal address (see <see cref="TargetGuard"/>); an e-mail, one address.</summary>
    private static async Task<bool> CheckTargetAsync(Channel channel, string? target, Check at, TargetGuard guard, CancellationToken ct)
    {
        if (!at.NonEmpty(target, channel == Channel.Email ? MaxEmail : MaxTarget)) return false;
        target = target!.Trim();
        if (channel == Channel.Email)
            return MailAddress.TryCreate(target, out var address) && address.Address == target && !target.Any(char.IsControl)
                || at.Fail("must be one e-mail address (name@example.com)");
        if (!Uri.TryCreate(target, UriKind.Absolute, out var uri)) return at.Fail("must be an absolute http or https URL");
        return await guard.CheckAsync(uri, ct) is not { } refusal || at.Fail(refusal);
    }

    private static Channel ChannelOf(string channel) => channel == "EMAIL" ? Channel.Email : Channel.Webhook;

    private static Language LanguageOf(string? language) => language == "ru" ? Language.Ru : Language.En;

    internal static SubscriptionView View(Subscription s, NotificationsOptions options) => new(s.Id.ToString(), s.TenantId,
        s.Channel == Channel.Email ? "EMAIL" : "WEBHOOK", s.Target, s.Events, s.Language == Language.Ru ? "ru" : "en", s.Enabled, s.DisabledReason,
        s.DigestThreshold ?? options.DigestThreshold, s.CreatedAt.ToUnixMs(), s.CreatedBy);
}
