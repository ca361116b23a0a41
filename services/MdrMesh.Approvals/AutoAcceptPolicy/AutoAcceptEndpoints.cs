using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AutoAcceptPolicy;

/// <summary><c>auto_accept/set</c>: <c>mode</c> and, for <c>SELECTED_TENANTS</c>, <c>tenant_ids</c>.</summary>
public sealed record SetAutoAcceptRequest(string? Mode, List<string>? TenantIds);

public static class AutoAcceptEndpoints
{
    public static async Task<IResult> Get(IDocumentStore store, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return Results.Ok(View(await query.LoadAsync<AutoAcceptSetting>(AutoAcceptSetting.StreamId, ct) ?? AutoAcceptSetting.Initial));
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

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<AutoAcceptSetting>(AutoAcceptSetting.StreamId, ct);
        var current = stream.Aggregate ?? AutoAcceptSetting.Initial;
        var events = current.Change(request.Mode!, request.TenantIds ?? [], clock.GetUtcNow(), caller.Name);
        if (events.Count == 0) return Results.Ok(View(current));
        stream.AppendMany(events.ToArray());
        await session.SaveChangesAsync(ct);
        return Results.Ok(View(current.Apply((AutoAcceptSettingChanged)events[0])));
    }

    private static object View(AutoAcceptSetting s) => new
    {
        mode = s.Mode,
        tenant_ids = s.TenantIds,
        version = s.Version,
        changed_at = s.ChangedAt?.ToUnixMs(),
        changed_by = s.ChangedBy,
    };
}
