using Marten;
using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>Settings → users (FULL_ACCESS): create (the one-time password shown once), list, disable — the API's own handlers, the user as the caller.</summary>
public sealed class UsersModel(IDocumentStore store, TimeProvider clock) : ConsolePage
{
    public IReadOnlyList<UserView> Users { get; private set; } = [];
    public UserView? Created { get; private set; }
    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();
    public string? Error { get; private set; }
    public string? UserName { get; private set; }
    public string? Tenants { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!CurrentUser.May("users/list")) return Forbid();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? userName, string[]? rights, string? tenants, CancellationToken ct)
    {
        (UserName, Tenants) = (userName, tenants);
        var tenantIds = tenants?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(100).ToList();
        if (tenantIds is not { Count: > 0 } && !CurrentUser.AllTenants) tenantIds = [.. CurrentUser.TenantIds];
        var answer = await ConsoleApi.OwnAsync(CurrentUser, "users/create", () =>
            UserEndpoints.CreateAsync(new CreateUserRequest(userName, rights?.ToList(), tenantIds is { Count: > 0 } ? tenantIds : null), CurrentUser, store, clock, ct));
        if (answer.Ok) Created = answer.As<UserView>();
        else (Errors, Error) = (answer.Errors, answer.Errors.Count > 0 ? null : answer.Message);
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDisableAsync(string? userId, CancellationToken ct)
    {
        var answer = await ConsoleApi.OwnAsync(CurrentUser, "users/disable", () =>
            UserEndpoints.DisableAsync(userId, CurrentUser, store, clock, ct));
        if (!answer.Ok) Error = answer.Message;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var answer = await ConsoleApi.OwnAsync(CurrentUser, "users/list", () => UserEndpoints.ListAsync(CurrentUser, store, clock, ct));
        if (answer.Ok) Users = answer.As<List<UserView>>();
    }
}
