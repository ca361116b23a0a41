using Marten;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Contracts.Responses;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.BlastRadius;

/// <summary>
/// <c>auto_accept/guard/get</c>, <c>auto_accept/guard/set</c> and <c>auto_accept/guard/reset</c>: one tenant's blast-radius
/// guard. The tenant is named as for <c>auto_accept/rules/*</c> (<see cref="AutoAcceptRulesEndpoints.TenantOf"/>); a tenant the
/// connection does not reach is a 404, as if it did not exist.
/// </summary>
public static class BlastRadiusGuardEndpoints
{
    public static async Task<IResult> Get(GuardTenantRequest? request, Caller caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request?.TenantId, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        await using var query = store.QuerySession(tenant!);
        var guard = await query.LoadAsync<BlastRadiusGuard>(BlastRadiusGuard.StreamIdOf(tenant!), ct);
        return Results.Ok(View(guard ?? BlastRadiusGuard.Initial(tenant!), clock.GetUtcNow()));
    }

    public static async Task<IResult> Set(SetGuardRequest request, Caller caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request.TenantId, errors);
        var types = Types(request.Types, new Check(errors, "types"));
        new Check(errors, "limit").InRange(request.Limit, BlastRadiusGuard.MinLimit, BlastRadiusGuard.MaxLimit);
        new Check(errors, "window_seconds").InRange(request.WindowSeconds, (long)BlastRadiusGuard.MinWindow.TotalSeconds,
            (long)BlastRadiusGuard.MaxWindow.TotalSeconds);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        var now = clock.GetUtcNow();
        var command = new SetGuard(tenant!, types!, (int)request.Limit!.Value, TimeSpan.FromSeconds(request.WindowSeconds!.Value), now, caller.Name,
            caller.Id);
        return Results.Ok(View(await WriteAsync(store, tenant!, command, ct), now));
    }

    /// <summary>A person starts the count again: acceptances before now no longer count, and a trip ends.</summary>
    public static async Task<IResult> Reset(GuardTenantRequest? request, Caller caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var tenant = caller.TenantNamed(request?.TenantId, errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (!caller.CanReach(tenant!)) return ApiProblems.NotFound("The tenant");

        var now = clock.GetUtcNow();
        return Results.Ok(View(await WriteAsync(store, tenant!, new ResetGuard(tenant!, now, caller.Name, caller.Id), ct), now));
    }

    // Decided on the stream's current version, as the proposal consumer's counting: a change and a count at once are one after the other.
    private static async Task<BlastRadiusGuard> WriteAsync(IDocumentStore store, string tenant, IGuardCommand command, CancellationToken ct)
    {
        var decided = await store.WriteAsync(tenant, async session =>
            (await session.Events.FetchForWriting<BlastRadiusGuard>(BlastRadiusGuard.StreamIdOf(tenant), ct)).Decide(command, BlastRadiusGuard.Decide,
                BlastRadiusGuard.Evolve), ct);
        return decided.After ?? BlastRadiusGuard.Initial(tenant);
    }

    /// <summary>The drastic types: required (an empty list counts nothing: the guard is off), each a type name, kept once each.</summary>
    internal static List<string>? Types(List<string>? types, Check at)
    {
        var ok = types is null ? at.Fail("is required: the response types the guard counts (an empty list turns it off)")
            : types.Count > AutoAcceptRulesEndpoints.MaxMatchers ? at.Fail($"must have at most {AutoAcceptRulesEndpoints.MaxMatchers} items")
            : at.ItemsOneOf(types, ResponseType.All);
        return ok ? types!.Distinct().ToList() : null;
    }

    private static BlastRadiusGuardView View(BlastRadiusGuard g, DateTimeOffset now) => new(
        g.TenantId, g.Types, g.Limit, (long)g.Window.TotalSeconds, g.CountAt(now), g.IsTrippedAt(now), g.IsTrippedAt(now) ? g.TrippedSince?.ToUnixMs() : null,
        g.ResetAt?.ToUnixMs(), g.ResetBy, g.ChangedAt?.ToUnixMs(), g.ChangedBy);
}
