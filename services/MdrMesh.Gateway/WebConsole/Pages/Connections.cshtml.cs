using Marten;
using MdrMesh.Gateway.Access;
using MdrMesh.ServiceDefaults;
using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>
/// Settings → API connections (FULL_ACCESS): create one (its client id and refresh token shown once), revoke, list —
/// the API's own handlers, called with the user as the caller, so the same rules hold as through the API.
/// </summary>
public sealed class ConnectionsModel(IDocumentStore store, TokenService tokens, ConnectionCache cache, TimeProvider clock) : ConsolePage
{
    public IReadOnlyList<ConnectionEndpoints.ConnectionView> Connections { get; private set; } = [];
    public ConnectionEndpoints.ConnectionView? Created { get; private set; }
    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();
    public string? Error { get; private set; }
    public string? Name { get; private set; }
    public string? Tenants { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!CurrentUser.May("api_connections/list")) return Forbid();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? name, string[]? rights, string? tenants, CancellationToken ct)
    {
        (Name, Tenants) = (name, tenants);
        var tenantIds = tenants?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(100).ToList();
        // None given: every tenant the user reaches (all of them, also later ones, for a user who reaches all).
        if (tenantIds is not { Count: > 0 } && !CurrentUser.AllTenants) tenantIds = [.. CurrentUser.TenantIds];
        var answer = await ConsoleApi.OwnAsync(CurrentUser, "api_connections/create", () =>
            ConnectionEndpoints.CreateAsync(new CreateConnectionRequest(name, rights?.ToList(), tenantIds is { Count: > 0 } ? tenantIds : null),
                CurrentUser, tokens, store, clock, ct));
        if (answer.Ok) Created = answer.As<ConnectionEndpoints.ConnectionView>();
        else (Errors, Error) = (answer.Errors, answer.Errors.Count > 0 ? null : answer.Message);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string? clientId, CancellationToken ct)
    {
        var answer = await ConsoleApi.OwnAsync(CurrentUser, "api_connections/revoke", () =>
            ConnectionEndpoints.RevokeAsync(new ConnectionRequest(clientId), CurrentUser, store, cache, clock, ct));
        if (!answer.Ok) Error = answer.Message;
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(string? clientId, CancellationToken ct)
    {
        var answer = await ConsoleApi.OwnAsync(CurrentUser, "api_connections/delete", () =>
            ConnectionEndpoints.DeleteAsync(new ConnectionRequest(clientId), CurrentUser, store, cache, clock, ct));
        if (!answer.Ok) Error = answer.Message;
        await LoadAsync(ct);
        return Page();
    }

    // The page shows every connection the user sees, as it did before the API paged them: the API's pages, up to a short one.
    private async Task LoadAsync(CancellationToken ct)
    {
        var connections = new List<ConnectionEndpoints.ConnectionView>();
        for (var page = 1; ; page++)
        {
            var request = new ListConnectionsRequest(page, Paging.MaxPageSize);
            var answer = await ConsoleApi.OwnAsync(CurrentUser, "api_connections/list",
                () => ConnectionEndpoints.ListAsync(request, CurrentUser, store, clock, ct));
            if (!answer.Ok) return;
            var shown = answer.As<List<ConnectionEndpoints.ConnectionView>>();
            connections.AddRange(shown);
            if (shown.Count < Paging.MaxPageSize) break;
        }
        Connections = connections;
    }
}
