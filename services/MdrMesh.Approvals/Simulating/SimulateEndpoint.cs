using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Approvals.BlastRadius;
using Marten;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Approvals.Simulating;

/// <summary>
/// <c>auto_accept/simulate</c>: a draft policy replayed over one tenant's recorded proposals in a time range
/// (<see cref="Simulation"/>). It reads (a query session) and writes nothing.
/// </summary>
public static class SimulateEndpoint
{
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(90);

    // The latest millisecond a timestamp holds; with both bounds within it, their difference cannot overflow.
    private static readonly long MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static async Task<IResult> Simulate(SimulateRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        IOptions<ApprovalsOptions> options, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        var at = new Check(errors, "draft");
        List<AutoAcceptRule>? rules = null;
        var timeZone = TenantTimeZone.Utc;
        List<string>? guardTypes = null;
        if (request.Draft is not { } draft) at.Fail("is required: the draft policy, {mode, rules}");
        else
        {
            at.Field("mode").OneOf(draft.Mode, DraftPolicy.Modes);
            // Rules naming groups are checked against the tenant's groups when they are loaded below.
            rules = AutoAcceptRulesEndpoints.Validate(draft.Rules, at.Field("rules"), isGroup: null);
            timeZone = AutoAcceptRulesEndpoints.TimeZoneOf(draft.TimeZone, at.Field("time_zone"));
            if (draft.Guard is { } g)
            {
                var guardAt = at.Field("guard");
                guardTypes = BlastRadiusGuardEndpoints.Types(g.Types, guardAt.Field("types"));
                guardAt.Field("limit").InRange(g.Limit, BlastRadiusGuard.MinLimit, BlastRadiusGuard.MaxLimit);
                guardAt.Field("window_seconds").InRange(g.WindowSeconds, (long)BlastRadiusGuard.MinWindow.TotalSeconds,
                    (long)BlastRadiusGuard.MaxWindow.TotalSeconds);
            }
        }
        CheckRange(request.From, request.To, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        var from = DateTimeOffset.FromUnixTimeMilliseconds(request.From!.Value);
        var to = DateTimeOffset.FromUnixTimeMilliseconds(request.To!.Value);
        List<Decision> recorded;
        AssetGroups? groups;
        BlastRadiusGuard? tenantGuard;
        IReadOnlyDictionary<string, AssetProfile> assets;
        await using (var query = store.QuerySession(tenant!))
        {
            // The tenant's (the session's scope), the range and the order in PostgreSQL; one more than replayed tells there were more.
            recorded = (await query.Query<Decision>().Where(d => d.ProposedAt >= from && d.ProposedAt < to)
                .OrderBy(d => d.ProposedAt).ThenBy(d => d.Id).Take(Simulation.MaxProposals + 1).ToListAsync(ct)).ToList();
            groups = await query.LoadAsync<AssetGroups>(AssetGroups.StreamIdOf(tenant!), ct);
            tenantGuard = await query.LoadAsync<BlastRadiusGuard>(BlastRadiusGuard.StreamIdOf(tenant!), ct);
            assets = groups is { Groups.Count: > 0 }
                ? (await query.LoadManyAsync<AssetProfile>(ct, recorded.Select(d => d.AssetId).Distinct())).ToDictionary(a => a.Id, StringComparer.Ordinal)
                : new Dictionary<string, AssetProfile>();
        }
        var truncated = recorded.Count > Simulation.MaxProposals;
        if (truncated) recorded.RemoveAt(recorded.Count - 1);

        var now = clock.GetUtcNow();
        // The draft's guard, or the tenant's own setting; either way nothing counted when the range begins.
        var guard = request.Draft!.Guard is { } draftGuard
            ? BlastRadiusGuard.Decide(new SetGuard(tenant!, guardTypes!, (int)draftGuard.Limit!.Value, TimeSpan.FromSeconds(draftGuard.WindowSeconds!.Value),
                now, caller.Name, caller.Id), null).Aggregate((BlastRadiusGuard?)null, BlastRadiusGuard.Evolve) ?? BlastRadiusGuard.Initial(tenant!)
            : (tenantGuard ?? BlastRadiusGuard.Initial(tenant!)) with { Accepted = [], TrippedSince = null };
        var policy = DraftPolicy.Of(tenant!, request.Draft!.Mode!, rules!, timeZone, now, caller.Name, caller.Id) with { Guard = guard };
        return Results.Ok(Simulation.Run(policy, recorded, truncated, options.Value.DeadlineFor(tenant!), groups, assets));
    }

    /// <summary><c>from</c> and <c>to</c>: Unix ms, <c>to</c> after <c>from</c> and at most <see cref="MaxRange"/> after it.</summary>
    private static void CheckRange(long? from, long? to, List<ValidationError> errors)
    {
        var ok = new Check(errors, "from").InRange(from, 0, MaxMs);
        var at = new Check(errors, "to");
        if (!at.InRange(to, 0, MaxMs) || !ok) return;
        if (to <= from) at.Fail("must be after from");
        else if (to - from > (long)MaxRange.TotalMilliseconds) at.Fail($"must be at most {(int)MaxRange.TotalDays} days after from");
    }
}
