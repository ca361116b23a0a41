using Marten;
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
        var tenant = TenantOf(request?.TenantId, caller, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var query = store.QuerySession(tenant!);
        return Results.Ok(View(tenant!, await query.LoadAsync<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(tenant!), ct)));
    }

    public static async Task<IResult> Set(SetAutoAcceptRulesRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = TenantOf(request.TenantId, caller, errors);
        var rules = Validate(request.Rules, new Check(errors, "rules"));
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        // Two changes at once never both become the same version: the later is decided again on the earlier's result.
        var command = new ReplaceRules(tenant!, rules!, clock.GetUtcNow(), caller.Name, caller.Id);
        var set = await store.WriteAsync(tenant!, async session =>
            (await session.Events.FetchForWriting<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(tenant!), ct)).Decide(command, AutoAcceptRules.Decide,
                AutoAcceptRules.Evolve), ct);
        return Results.Ok(View(tenant!, set.After));
    }

    /// <summary>The tenant's policy changes, latest first, paged in PostgreSQL over the policy's events.</summary>
    public static async Task<IResult> History(AutoAcceptRulesHistoryRequest? request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = TenantOf(request?.TenantId, caller, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        var (skip, take) = Paging.Window(request?.Page, request?.PageSize);
        await using var query = store.QuerySession(tenant!);
        var changes = await query.Events.QueryRawEventDataOnly<AutoAcceptRulesSet>()
            .Where(e => e.TenantId == tenant).OrderByDescending(e => e.Version).Skip(skip).Take(take).ToListAsync(ct);
        return Results.Ok(changes.Select(c => new AutoAcceptRulesChangeView(c.Version, c.PreviousRules, c.Rules, c.At.ToUnixMs(), c.By, c.ById))
            .ToList());
    }

    /// <summary>The tenant the call is about: the named one, or the connection's only tenant.</summary>
    internal static string? TenantOf(string? tenantId, Caller caller, List<ValidationError> errors)
    {
        var at = new Check(errors, "tenant_id");
        if (tenantId is not null) return at.NonEmpty(tenantId, 128) ? tenantId : null;
        if (caller.Tenants is { Count: 1 } only) return only.Single();
        at.Fail("is required unless the connection reaches exactly one tenant");
        return null;
    }

    /// <summary>Every bad field named (<c>rules[2].types[0]</c>); the rules as stored when all are good.</summary>
    private static List<AutoAcceptRule>? Validate(List<AutoAcceptRuleRequest>? rules, Check at)
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
            ok &= rule.Field("action").OneOf(r.Action, RuleAction.All);
            if (ok) valid.Add(new AutoAcceptRule(r.Name!, Copy(r.Types), Copy(r.AssetIds), r.Action!));
        }
        return valid.Count == rules.Count ? valid : null;
    }

    private static List<string> Copy(List<string>? values) => values is null ? [] : [.. values];

    /// <summary>An optional list of at most <see cref="MaxMatchers"/> values, each checked as <c>field[j]</c>.</summary>
    private static bool Matchers(List<string>? values, Check at, Func<Check, string?, bool> check)
    {
        if (values is null) return true;
        if (values.Count > MaxMatchers) return at.Fail($"must have at most {MaxMatchers} items");
        var ok = true;
        for (var j = 0; j < values.Count; j++) ok &= check(at.Item(j), values[j]);
        return ok;
    }

    private static AutoAcceptRulesView View(string tenantId, AutoAcceptRules? rules) =>
        new(tenantId, rules?.Version ?? 0, rules?.Rules ?? [], rules?.ChangedAt?.ToUnixMs(), rules?.ChangedBy);
}
