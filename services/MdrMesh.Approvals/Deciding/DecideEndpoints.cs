using JasperFx;
using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.Deciding;

/// <summary><c>response/update</c>: <c>response_id</c>, <c>status</c> (<c>Confirmed</c> | <c>Declined</c>), <c>comment</c>.</summary>
public sealed record DecideRequest(Guid? ResponseId, string? Status, string? Comment);

/// <summary><c>responses/update</c>: the same for several responses at once.</summary>
public sealed record DecideManyRequest(List<Guid>? ResponsesIds, string? Status, string? Comment);

public static class DecideEndpoints
{
    private static readonly IReadOnlyList<string> Statuses = [Decision.Confirmed, Decision.Declined];

    public static async Task<IResult> One(DecideRequest request, Caller caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(request.Status, request.Comment);
        new Check(errors, "response_id").Required(request.ResponseId);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        return await Decide([request.ResponseId!.Value], request.Status!, request.Comment!, caller, store, clock, ct) is { } decided
            ? Results.Ok(View(decided[0]))
            : ApiProblems.NotFound("The response");
    }

    public static async Task<IResult> Many(DecideManyRequest request, Caller caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = Validate(request.Status, request.Comment);
        if (request.ResponsesIds is not { Count: > 0 }) new Check(errors, "responses_ids").Fail("is required: at least one response id");
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        return await Decide(request.ResponsesIds!.Distinct().ToList(), request.Status!, request.Comment!, caller, store, clock, ct) is { } decided
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

    /// <summary>Null when a response does not exist in the caller's tenants; <see cref="AlreadyDecided"/> when one is decided already.</summary>
    private static async Task<IReadOnlyList<Decision>?> Decide(IReadOnlyList<Guid> ids, string status, string comment, Caller caller,
        IDocumentStore store, TimeProvider clock, CancellationToken ct)
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

        var results = new List<Decision>();
        foreach (var byTenant in found.GroupBy(d => d.TenantId))
        {
            await using var session = store.LightweightSession(byTenant.Key);
            foreach (var decision in byTenant)
            {
                var stream = await session.Events.FetchForWriting<Decision>(decision.Id, ct);
                var events = Decisions.ByPerson(stream.Aggregate!, status, comment, clock.GetUtcNow(), caller.Name);
                stream.AppendMany(events.ToArray());
                results.Add(events.Aggregate(stream.Aggregate!, Evolve));
            }
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (ConcurrencyException)
            {
                // Someone (a person, the deadline, a closed incident) decided in between.
                await using var reread = store.QuerySession(byTenant.Key);
                var now = await reread.LoadManyAsync<Decision>(ct, byTenant.Select(d => d.Id));
                throw new AlreadyDecided(now.First(d => !d.IsPending));
            }
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
        ResponseConfirmed x => d.Apply(x),
        ResponseDeclined x => d.Apply(x),
        _ => d,
    };

    private static object View(Decision d) => new
    {
        response_id = d.Id.ToString(),
        incident_id = d.IncidentId.ToString(),
        type = d.Parameters.Type,
        asset_id = d.AssetId,
        status = d.Status,
        comment = d.Comment,
        decided_by = d.DecidedBy,
        update_time = d.DecidedAt?.ToUnixMs(),
    };
}
