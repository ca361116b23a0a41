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
        IOptions<ApprovalsOptions> options, HttpContext http, CancellationToken ct)
    {
        var errors = Validate(request.Status, request.Comment);
        new Check(errors, "response_id").Required(request.ResponseId);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        // Ids are opaque to callers: one that is not ours names nothing, and can never arrive.
        if (ApiIds.Parse(request.ResponseId) is not { } id) return ApiProblems.NotFound("The response");
        return await Decide([id], request.Status!, request.Comment!, caller, store, clock, options.Value, ct) is { } decided
            ? Results.Ok(View(decided[0]))
            : NotKnownYet("The response", http);
    }

    public static async Task<IResult> Many(DecideManyRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        IOptions<ApprovalsOptions> options, HttpContext http, CancellationToken ct)
    {
        var errors = Validate(request.Status, request.Comment);
        if (request.ResponsesIds is not { Count: > 0 }) new Check(errors, "responses_ids").Fail("is required: at least one response id");
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var ids = request.ResponsesIds!.Select(ApiIds.Parse).ToList();
        if (ids.Any(id => id is null)) return ApiProblems.NotFound("A response");
        return await Decide(ids.Select(id => id!.Value).Distinct().ToList(), request.Status!, request.Comment!, caller, store, clock, options.Value, ct) is { } decided
            ? Results.Ok(decided.Select(View).ToList())
            : NotKnownYet("A response", http);
    }

    /// <summary>
    /// A proposal reaches this service a few milliseconds after <c>responses/create</c> answered. A decision sent in
    /// between is not held waiting: it gets its 404 at once, with <c>Retry-After</c>, as does an id that names nothing
    /// (the two answers are the same, so neither tells what exists).
    /// </summary>
    private static IResult NotKnownYet(string what, HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} was not found.",
            detail: "A response proposed a moment ago can be decided within a second: send the decision again after Retry-After.");
    }

    private static List<ValidationError> Validate(string? status, string? comment)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "status").OneOf(status, Statuses);
        new Check(errors, "comment").NonEmpty(comment, 16_384);
        return errors;
    }

    /// <summary>
    /// Null when a response does not exist in the caller's tenants (or has not reached this service yet);
    /// <see cref="AlreadyDecided"/> when one is decided already. All or nothing: every response is decided in one
    /// commit, whatever its tenant, and a conflict on any of them decides them all again.
    /// </summary>
    private static async Task<IReadOnlyList<Decision>?> Decide(IReadOnlyList<Guid> ids, string status, string comment, Caller caller,
        IDocumentStore store, TimeProvider clock, ApprovalsOptions options, CancellationToken ct)
    {
        var found = await FindAsync(ids, caller, store, ct);
        if (found.Count != ids.Count) return null;
        var command = new DecideByPerson(Enum.Parse<DecisionStatus>(status), comment, clock.GetUtcNow(), caller.Name, caller.Id,
            options.RequireSeparateDecider);
        var decided = await store.WriteAsync(null, async session =>
        {
            var results = new List<Decided<Decision>>();
            foreach (var decision in found)
            {
                var stream = await session.ForTenant(decision.TenantId).Events.FetchForWriting<Decision>(decision.Id, ct);
                results.Add(stream.Decide(command, Decisions.Decide, Decision.Evolve));
            }
            return results;
        }, ct);
        foreach (var d in decided) ApprovalMetrics.Committed(d.Before, d.Events);
        return decided.Select(d => d.After!).ToList();
    }

    private static async Task<List<Decision>> FindAsync(IReadOnlyList<Guid> ids, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var found = await query.Query<Decision>().Where(d => d.AnyTenant() && ids.Contains(d.Id)).ToListAsync(ct);
        return found.Where(d => caller.CanReach(d.TenantId)).ToList();
    }

    private static DecisionView View(Decision d) => new(d.Id.ToString(), d.IncidentId.ToString(), d.Parameters.Type, d.AssetId, d.Status.ToString(), d.Comment,
        d.DecidedBy, d.DecidedById, d.DecidedAt?.ToUnixMs());
}

/// <summary>A response as <c>response/update</c> and <c>responses/update</c> answer: its decision.</summary>
public sealed record DecisionView(string ResponseId, string IncidentId, string Type, string AssetId, string Status, string? Comment,
    string? DecidedBy, string? DecidedById, long? UpdateTime);
