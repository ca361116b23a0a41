using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Approvals.AutoAcceptPolicy;

/// <summary><c>auto_accept/set</c>: <c>mode</c> and, for <c>SELECTED_TENANTS</c>, <c>tenant_ids</c>.</summary>
public sealed record SetAutoAcceptRequest(
    [property: OneOf(typeof(AutoAcceptSetting), nameof(AutoAcceptSetting.Modes))] string? Mode, List<string>? TenantIds);

/// <summary>
/// The auto-accept setting as a view over the caller's tenants: a connection sees, and changes, only
/// the tenants it reaches; one over every tenant also the installation default.
/// </summary>
public static class AutoAcceptEndpoints
{
    public static async Task<IResult> Get(Caller caller, IDocumentStore store, CancellationToken ct) =>
        Results.Ok(View(await LoadAsync(store, ct), caller));

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
        if (request.TenantIds?.FirstOrDefault(t => !caller.CanReach(t)) is not null) return ApiProblems.NotFound("A tenant");

        var tenants = request.Mode == AutoAcceptSetting.SelectedTenants ? request.TenantIds!.Distinct().ToList() : [];
        var command = new SetAutoAccept(request.Mode!, tenants, caller.Tenants, clock.GetUtcNow(), caller.Name, caller.Id);
        // Every switch turned in one commit, each stream in its own scope: a change is never half made. Each stream is
        // expected at the version the decision was made on; if one moved meanwhile, the whole change is decided again.
        var after = await store.WriteAsync(null, async session =>
        {
            var current = await LoadAsync(session, ct);
            var changes = AutoAcceptSetting.Decide(command, current);
            foreach (var change in changes)
            {
                IDocumentOperations scope = change.Scope == AutoAcceptSwitch.Installation ? session : session.ForTenant(change.Scope);
                var stream = await scope.Events.FetchForWriting<AutoAcceptSwitch>(AutoAcceptSwitch.StreamIdOf(change.Scope), change.Version - 1, ct);
                stream.AppendOne(change);
            }
            return changes.Aggregate(current, AutoAcceptSetting.Evolve);
        }, ct);
        return Results.Ok(View(after, caller));
    }

    /// <summary>
    /// <c>auto_accept/history</c>: every change of the switches that decide for the caller's tenants (theirs and the
    /// installation default), latest first, each with its version, who and when. Paged (<c>page</c>, <c>page_size</c>).
    /// </summary>
    public static async Task<IResult> History(AutoAcceptHistoryRequest request, Caller caller, IDocumentStore store, CancellationToken ct)
    {
        var setting = await LoadAsync(store, ct);
        var scopes = setting.Tenants.Keys.Where(caller.CanReach).Prepend(AutoAcceptSwitch.Installation).ToList();
        var changes = new List<AutoAcceptChangeView>();
        foreach (var scope in scopes)
        {
            await using var query = scope == AutoAcceptSwitch.Installation ? store.QuerySession() : store.QuerySession(scope);
            foreach (var e in await query.Events.FetchStreamAsync(AutoAcceptSwitch.StreamIdOf(scope), token: ct))
                if (e.Data is AutoAcceptSwitched c)
                    changes.Add(new AutoAcceptChangeView(c.Scope == AutoAcceptSwitch.Installation ? null : c.Scope, c.Version, c.Enabled, c.WasEnabled,
                        c.At.ToUnixMs(), c.By));
        }
        return Results.Ok(Paging.Page(changes.OrderByDescending(c => c.ChangedAt).ThenByDescending(c => c.Version), request.Page, request.PageSize));
    }

    private static async Task<AutoAcceptSetting> LoadAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        return await LoadAsync(query, ct);
    }

    // One small document per tenant that ever had a switch of its own, and the default.
    private static async Task<AutoAcceptSetting> LoadAsync(IQuerySession query, CancellationToken ct) =>
        AutoAcceptSetting.Of(await query.Query<AutoAcceptSwitch>().Where(s => s.AnyTenant()).ToListAsync(ct));

    private static AutoAcceptView View(AutoAcceptSetting s, Caller caller)
    {
        if (caller.Tenants is { } reach)
        {
            // Only the caller's tenants, and only the switches that decide for them.
            var mine = reach.Order(StringComparer.Ordinal).ToList();
            var on = mine.Where(s.IsOn).ToList();
            var sources = mine.Select(s.SourceFor).OfType<AutoAcceptSwitch>().Distinct().ToList();
            return new AutoAcceptView(
                mine.Count > 0 && on.Count == mine.Count ? AutoAcceptSetting.AllTenants
                    : on.Count == 0 ? AutoAcceptSetting.Disabled : AutoAcceptSetting.SelectedTenants,
                on.Count == mine.Count ? [] : on,
                sources.Sum(x => x.Version),
                Latest(sources)?.ChangedAt?.ToUnixMs(),
                Latest(sources)?.ChangedBy);
        }

        var own = s.Tenants.Values.OrderBy(t => t.Scope, StringComparer.Ordinal).ToList();
        var allSwitches = own.Concat(s.Default is { } d ? [d] : []).ToList();
        var onTenants = own.Where(t => t.Enabled).Select(t => t.Scope).ToList();
        return new AutoAcceptView(
            s.DefaultEnabled && own.All(t => t.Enabled) ? AutoAcceptSetting.AllTenants
                : !s.DefaultEnabled && onTenants.Count == 0 ? AutoAcceptSetting.Disabled : AutoAcceptSetting.SelectedTenants,
            s.DefaultEnabled && own.All(t => t.Enabled) ? [] : onTenants,
            // Every change to any switch counts once.
            allSwitches.Sum(x => x.Version),
            Latest(allSwitches)?.ChangedAt?.ToUnixMs(),
            Latest(allSwitches)?.ChangedBy)
        {
            InstallationDefault = new AutoAcceptSwitchView(null, s.DefaultEnabled, s.Default?.Version ?? 0, s.Default?.ChangedAt?.ToUnixMs(),
                s.Default?.ChangedBy),
            Tenants = own.Select(t => new AutoAcceptSwitchView(t.Scope, t.Enabled, t.Version, t.ChangedAt?.ToUnixMs(), t.ChangedBy)).ToList(),
        };
    }

    private static AutoAcceptSwitch? Latest(IEnumerable<AutoAcceptSwitch> switches) => switches.MaxBy(x => x.ChangedAt);
}

/// <summary>
/// The auto-accept setting as its caller may see it. <c>installation_default</c> and <c>tenants</c> (every
/// switch) only for callers of every tenant; a caller of some tenants sees the effect on them alone.
/// </summary>
public sealed record AutoAcceptView(string Mode, IReadOnlyList<string> TenantIds, long Version, long? ChangedAt, string? ChangedBy)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AutoAcceptSwitchView? InstallationDefault { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AutoAcceptSwitchView>? Tenants { get; init; }
}

public sealed record AutoAcceptHistoryRequest(int? Page, int? PageSize);

/// <summary>One change of one switch: a tenant's (<c>tenant_id</c>) or the installation default's (none); its version after the change.</summary>
public sealed record AutoAcceptChangeView(string? TenantId, long Version, bool Enabled, bool WasEnabled, long ChangedAt, string ChangedBy);

/// <summary>One switch: a tenant's own (<c>tenant_id</c>), or the installation default (no <c>tenant_id</c>).</summary>
public sealed record AutoAcceptSwitchView(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? TenantId,
    bool Enabled, long Version, long? ChangedAt, string? ChangedBy);
