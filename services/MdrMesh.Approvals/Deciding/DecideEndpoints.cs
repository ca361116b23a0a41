using JasperFx;
using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Approvals.Deciding;

/// <summary><c>response/update</c>: <c>response_id</c>, <c>status</c> (<c>Confirmed</c> | <c>Declined</c>), <c>comment</c>.</summary>
public sealed record DecideRequest(string? ResponseId,
    [property: OneOf(typeof(DecideEndpoints), nameof(DecideEndpoints.Statuses))] string? Status, string? Comment);

/// <summary><c>responses/update</c>: the same for several responses at once.</summary>
public sealed record DecideManyRequest(List<string>? ResponsesIds,
    [property: OneOf(typeof(DecideEndpoints), nameof(DecideEndpoints.Statuses))] string? Status, string? Comment);

public static class DecideEndpoints
{
    /// <summary>What a person decides (<c>status</c>).</summary>
    public static readonly IReadOnlyList<string> Statuses = [nameof(DecisionStatus.Confirmed), nameof(DecisionStatus.Declined)];

    public static async Task<IResult> One(DecideRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        IOptions<ApprovalsOptions> options, CancellationToken ct)
    {
        var errors = Validate(request.Status, request.Comment);
        new Check(errors, "response_id").Required(request.ResponseId);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        // Ids are opaque to callers: one that is not ours names nothing, and can never arrive.
        if (ApiIds.Parse(request.ResponseId) is not { } id) return ApiProblems.NotFound("The response");
        return await Decide([id], request.Status!, request.Comment!, caller, store, clock, options.Value, ct) is { } decided
            ? Results.Ok(View(decided[0]))
            : ApiProblems.NotFound("The response");
    }

    public static async Task<IResult> Many(DecideManyRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        IOptions<ApprovalsOptions> options, CancellationToken ct)
    {
        var errors = Validate(request.Status, request.Comment);
        if (request.ResponsesIds is not { Count: > 0 }) new Check(errors, "responses_ids").Fail("is required: at least one response id");
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var ids = request.ResponsesIds!.Select(ApiIds.Parse).ToList();
        if (ids.Any(id => id is null)) return ApiProblems.NotFound("A response");
        return await Decide(ids.Select(id => id!.Value).Distinct().ToList(), request.Status!, request.Comment!, caller, store, clock, options.Value, ct) is { } decided
            ? Results.Ok(decided.Select(View).ToList())
            : ApiProblems.NotFound("A response");
    }

    private static List<ValidationError> Validate(string? status, string? comment)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "status").OneOf(status, Statuses);
        new Check(errors, "comment").NonEmpty(comment, 16_384);
        return errors;
    }

    /// <summary>
    /// Null when a response does not exist in the caller's tenants; <see cref="AlreadyDecided"/> when one is
    /// decided already. All or nothing: every response is decided in one transaction, whatever its tenant.
    /// </summary>
    private static async Task<IReadOnlyList<Decision>?> Decide(IReadOnlyList<Guid> ids, string status, string comment, Caller caller,
        IDocumentStore store, TimeProvider clock, ApprovalsOptions options, CancellationToken ct)
    {
        var found = await FindAsync(ids, caller, store, ct);
        // A proposal reaches this service a few milliseconds after responses/create answers; a
        // decision sent at once waits for it briefly rather than failing.
        for (var wait = 0; found.Count != ids.Count && wait < ProposalArrivalWaits; wait++)
        {
            await Task.Delay(100, ct);
            found = await FindAsync(ids, caller, store, ct);
        }
        if (found.Count != ids.Count) return null;
        if (found.FirstOrDefault(d => !d.IsPending) is { } decided) throw new AlreadyDecided(decided);

        // One session, each stream written in its own tenant: one commit, so a conflict on any
        // response leaves every other one undecided.
        await using var session = store.LightweightSession();
        session.CarryTrace();
        var results = new List<Decision>();
        var recorded = new List<(Decision, IReadOnlyList<object>)>();
        foreach (var decision in found)
        {
            var stream = await session.ForTenant(decision.TenantId).Events.FetchForWriting<Decision>(decision.Id, ct);
            var events = Decisions.ByPerson(stream.Aggregate!, Enum.Parse<DecisionStatus>(status), comment, clock.GetUtcNow(), caller.Name, caller.Id,
                options.RequireSeparateDecider);
            stream.AppendMany(events.ToArray());
            results.Add(events.Aggregate(stream.Aggregate!, Evolve));
            recorded.Add((stream.Aggregate!, events));
        }
        try
        {
            await session.SaveChangesAsync(ct);
            foreach (var (decision, events) in recorded) ApprovalMetrics.Committed(decision, events);
        }
        catch (ConcurrencyException)
        {
            // Someone (a person, the deadline, a closed incident) decided in between.
            var now = await FindAsync(ids, caller, store, ct);
            throw now.FirstOrDefault(d => !d.IsPending) is { } first ? new AlreadyDecided(first) : new DecidedMeanwhile();
        }
        return results;
    }

    private const int ProposalArrivalWaits = 30;

    private static async Task<List<Decision>> FindAsync(IReadOnlyList<Guid> ids, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var found = await query.Query<Decision>().Where(d => d.AnyTenant() && ids.Contains(d.Id)).ToListAsync(ct);
        return found.Where(d => caller.CanReach(d.TenantId)).ToList();
    }

    public static Decision Evolve(Decision d, object e) => e switch
    {
        ResponseAccepted x => d.Apply(x),
        ResponseRejected x => d.Apply(x),
        _ => d,
    };

    private static DecisionView View(Decision d) => new(d.Id.ToString(), d.IncidentId.ToString(), d.Parameters.Type, d.AssetId, d.Status.ToString(), d.Comment,
        d.DecidedBy, d.DecidedById, d.DecidedAt?.ToUnixMs());
}

/// <summary>A response as <c>response/update</c> and <c>responses/update</c> answer: its decision.</summary>
public sealed record DecisionView(string ResponseId, string IncidentId, string Type, string AssetId, string Status, string? Comment,
    string? DecidedBy, string? DecidedById, long? UpdateTime);
