using Marten;
using MdrMesh.Contracts.Messages;
using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Contracts.Responses;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AcceptanceRules;

/// <summary>
/// <c>auto_accept/rules/get</c>, <c>auto_accept/rules/set</c> and <c>auto_accept/rules/history</c>: one tenant's ordered rules. The tenant is <c>tenant_id</c>;
/// a connection over exactly one tenant may leave it out (it means that one), any other connection (several tenants,
/// or every tenant, as the SOC's) must name it. A tenant the connection does not reach is a 404, as if it did not exist.
/// </summary>
public static class AutoAcceptRulesEndpoints
{
    public const int MaxName = 128;
    public const int MaxMatchers = 64;
    public const int MaxAssetId = 256;

    public static async Task<IResult> Get(GetAutoAcceptRulesRequest? request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request?.TenantId, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var query = store.QuerySession(tenant!);
        return Results.Ok(View(tenant!, await query.LoadAsync<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(tenant!), ct)));
    }

    public static async Task<IResult> Set(SetAutoAcceptRulesRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        // The groups rules name must be the tenant's: known only for a tenant the caller reaches (else the answer is a 404).
        var namesGroups = request.Rules?.Any(r => r?.AssetGroups is { Count: > 0 }) == true;
        AssetGroups? groups = null;
        if (namesGroups && tenant is not null && caller.CanReach(tenant))
        {
            await using var query = store.QuerySession(tenant);
            groups = await query.LoadAsync<AssetGroups>(AssetGroups.StreamIdOf(tenant), ct);
        }
        var timeZone = TimeZoneOf(request.TimeZone, new Check(errors, "time_zone"));
        var rules = Validate(request.Rules, new Check(errors, "rules"),
            tenant is not null && caller.CanReach(tenant) ? id => groups?.Find(id) is not null : null);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        // Two changes at once never both become the same version: the later is decided again on the earlier's result.
        var command = new ReplaceRules(tenant!, rules!, clock.GetUtcNow(), caller.Name, caller.Id, timeZone);
        var set = await store.WriteAsync(tenant!, async session =>
        {
            // The groups' stream row locked, as asset_groups/delete locks it: a group is never deleted while rules naming it are set.
            if (namesGroups)
            {
                var locked = (await session.Events.FetchForExclusiveWriting<AssetGroups>(AssetGroups.StreamIdOf(tenant!), ct)).Aggregate;
                if (rules!.SelectMany(r => r.AssetGroups).FirstOrDefault(id => locked?.Find(id) is null) is { } gone) throw new AssetGroupGone(gone);
            }
            return (await session.Events.FetchForWriting<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(tenant!), ct)).Decide(command, AutoAcceptRules.Decide,
                AutoAcceptRules.Evolve);
        }, ct);
        return Results.Ok(View(tenant!, set.After));
    }

    /// <summary>The tenant's policy changes, latest first, paged in PostgreSQL over the policy's events.</summary>
    public static async Task<IResult> History(AutoAcceptRulesHistoryRequest? request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request?.TenantId, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        var (skip, take) = Paging.Window(request?.Page, request?.PageSize);
        await using var query = store.QuerySession(tenant!);
        var changes = await query.Events.QueryRawEventDataOnly<AutoAcceptRulesSet>()
            .Where(e => e.TenantId == tenant).OrderByDescending(e => e.Version).Skip(skip).Take(take).ToListAsync(ct);
        return Results.Ok(changes.Select(c => new AutoAcceptRulesChangeView(c.Version, c.PreviousRules, c.Rules, c.At.ToUnixMs(), c.By, c.ById,
            c.TimeZone ?? TenantTimeZone.Utc))
            .ToList());
    }

    /// <summary>The tenant the call is about: the named one, or the connection's only tenant.</summary>

    /// <summary>
    /// Every bad field named (<c>rules[2].types[0]</c>, <c>rules[0].time_window.from</c>); the rules as stored when all are
    /// good. <paramref name="isGroup"/> tells the tenant's asset group ids (null: not checked, the tenant is not known or
    /// not reached).
    /// </summary>
    internal static List<AutoAcceptRule>? Validate(List<AutoAcceptRuleRequest>? rules, Check at, Func<string, bool>? isGroup)
    {
        if (rules is null)
        {
            at.Fail("is required: the whole ordered list of rules (an empty list removes them all)");
            return null;
        }
        if (rules.Count > AutoAcceptRules.MaxRules)
        {
            at.Fail($"must have at most {AutoAcceptRules.MaxRules} rules");
            return null;
        }
        var valid = new List<AutoAcceptRule>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = at.Item(i);
            // JSON null binds whatever the declared type says.
            if (rules[i] is not { } r)
            {
                rule.Fail("is required: a rule object");
                continue;
            }
            var ok = rule.Field("name").NonEmpty(r.Name, MaxName);
            ok &= Matchers(r.Types, rule.Field("types"), (item, value) => item.OneOf(value, ResponseType.All));
            ok &= Matchers(r.AssetIds, rule.Field("asset_ids"), (item, value) => item.NonEmpty(value, MaxAssetId));
            ok &= Matchers(r.AssetGroups, rule.Field("asset_groups"), (item, value) => item.NonEmpty(value, MaxAssetId)
                && (isGroup?.Invoke(value!) != false || item.Fail("must be the group_id of one of the tenant's asset groups")));
            ok &= rule.Field("action").OneOf(r.Action, RuleAction.All);
            ok &= Matchers(r.Priorities, rule.Field("priorities"), (item, value) => item.OneOf(value, IncidentPriority.All));
            ok &= Matchers(r.MitreTechniques, rule.Field("mitre_techniques"),
                (item, value) => item.Required(value) && (MitreTechnique.IsWellFormed(value!) || item.Fail(MitreTechnique.Shape)));
            ok &= Window(r.TimeWindow, rule.Field("time_window"));
            if (ok)
                valid.Add(new AutoAcceptRule(r.Name!, Copy(r.Types), Copy(r.AssetIds), r.Action!)
                {
                    Priorities = Copy(r.Priorities), MitreTechniques = Copy(r.MitreTechniques),
                    TimeWindow = r.TimeWindow is { } w ? new TimeWindow(Copy(w.Days), w.From!, w.To!) : null, AssetGroups = Copy(r.AssetGroups),
                });
        }
        return valid.Count == rules.Count ? valid : null;
    }

    private static List<string> Copy(List<string>? values) => values is null ? [] : [.. values];

    /// <summary>An optional time window: <c>days</c> as a matcher list, <c>from</c> and <c>to</c> local <c>HH:mm</c> times that differ.</summary>
    private static bool Window(TimeWindowRequest? window, Check at)
    {
        if (window is null) return true;
        var ok = Matchers(window.Days, at.Field("days"), (item, value) => item.OneOf(value, TimeWindow.DayNames));
        var times = Time(window.From, at.Field("from")) & Time(window.To, at.Field("to"));
        // Equal ends would be a window of no time, or of the whole day: neither is what anyone means by a window.
        if (times && window.From == window.To) return at.Field("to").Fail("must differ from from (a window of a whole day needs no time_window)");
        return ok && times;
    }

    private static bool Time(string? value, Check at) =>
        at.Required(value) && (TimeWindow.IsTime(value!) || at.Fail("must be a local time HH:mm (00:00 to 23:59), such as 08:00 or 17:30"));

    /// <summary>The tenant's time zone: an IANA name this machine knows (the default: UTC).</summary>
    internal static string TimeZoneOf(string? name, Check at)
    {
        if (name is null) return TenantTimeZone.Utc;
        if (at.NonEmpty(name, TenantTimeZone.MaxName) && TenantTimeZone.Find(name) is null)
            at.Fail("must be a time zone of the IANA database, such as Europe/Berlin, America/New_York or UTC");
        return name;
    }

    /// <summary>An optional list of at most <see cref="MaxMatchers"/> values, each checked as <c>field[j]</c>.</summary>
    internal static bool Matchers(List<string>? values, Check at, Func<Check, string?, bool> check)
    {
        if (values is null) return true;
        if (values.Count > MaxMatchers) return at.Fail($"must have at most {MaxMatchers} items");
        var ok = true;
        for (var j = 0; j < values.Count; j++) ok &= check(at.Item(j), values[j]);
        return ok;
    }

    private static AutoAcceptRulesView View(string tenantId, AutoAcceptRules? rules) =>
        new(tenantId, rules?.Version ?? 0, rules?.Rules ?? [], rules?.ChangedAt?.ToUnixMs(), rules?.ChangedBy, rules?.TimeZone ?? TenantTimeZone.Utc);
}
