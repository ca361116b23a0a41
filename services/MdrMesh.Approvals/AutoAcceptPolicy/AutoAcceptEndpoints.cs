using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AutoAcceptPolicy;

/// <summary><c>auto_accept/set</c>: <c>mode</c> and, for <c>SELECTED_TENANTS</c>, <c>tenant_ids</c>.</summary>
public sealed record SetAutoAcceptRequest(string? Mode, List<string>? TenantIds);

public static class AutoAcceptEndpoints
{
    public static async Task<IResult> Get(Caller caller, IDocumentStore store, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return Results.Ok(View(await query.LoadAsync<AutoAcceptSetting>(AutoAcceptSetting.StreamId, ct) ?? AutoAcceptSetting.Initial, caller));
    }

    public static async Task<IResult> Set(SetAutoAcceptRequest request, Caller caller, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "mode").OneOf(request.Mode, AutoAcceptSetting.Modes);
        if (request.Mode == AutoAcceptSetting.SelectedTenants && request.TenantIds is not { Count: > 0 })
            new Check(errors, "tenant_ids").Fail("is required with mode SELECTED_TENANTS: at least one tenant");
        for (var i = 0; i < (request.TenantIds?.Count ?? 0); i++)
            new Check(errors, "tenant_ids").Item(i).NonEmpty(request.TenantIds![i], 128);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        // The setting spans tenants: only a connection over every tenant switches it for all of them;
        // one over some tenants selects or deselects its own, leaving the others' choice as it is.
        if (caller.Tenants is not null && request.Mode != AutoAcceptSetting.SelectedTenants)
            return Results.Problem(statusCode: 403, title: "Only a connection over every tenant sets DISABLED or ALL_TENANTS; select your tenants instead.");
        if (request.TenantIds?.FirstOrDefault(t => !caller.CanReach(t)) is not null) return ApiProblems.NotFound("A tenant");

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<AutoAcceptSetting>(AutoAcceptSetting.StreamId, ct);
        var current = stream.Aggregate ?? AutoAcceptSetting.Initial;
        var tenants = caller.Tenants is null
            ? request.TenantIds ?? []
            : current.TenantIds.Where(t => !caller.CanReach(t)).Concat(request.TenantIds!).ToList();
        var events = current.Change(request.Mode!, tenants, clock.GetUtcNow(), caller.Name);
        if (events.Count == 0) return Results.Ok(View(current, caller));
        stream.AppendMany(events.ToArray());
        await session.SaveChangesAsync(ct);
        return Results.Ok(View(current.Apply((AutoAcceptSettingChanged)events[0]), caller));
    }

    // A connection over some tenants sees the selection as far as it concerns them.
    private static object View(AutoAcceptSetting s, Caller caller) => new
    {
        mode = s.Mode,
        tenant_ids = s.TenantIds.Where(caller.CanReach),
        version = s.Version,
        changed_at = s.ChangedAt?.ToUnixMs(),
        changed_by = s.ChangedBy,
    };
}
