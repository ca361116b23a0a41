using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>Settings → auto-accept (deciders): the setting as <c>auto_accept/get</c> shows it for the user's tenants, changed by <c>auto_accept/set</c>.</summary>
public sealed class AutoAcceptModel(ConsoleApi api) : ConsolePage
{
    // The API's modes, offered as choices; the API is the one that checks them.
    public static readonly string[] Modes = ["DISABLED", "ALL_TENANTS", "SELECTED_TENANTS"];

    public AutoAcceptRow? Setting { get; private set; }
    public IReadOnlyList<AutoAcceptChangeRow> History { get; private set; } = [];
    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!CurrentUser.May("auto_accept/get")) return Forbid();
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? mode, string? tenants, CancellationToken ct)
    {
        var tenantIds = tenants?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(1000).ToList();
        var answer = await api.CallAsync(CurrentUser, "auto_accept/set", new { mode, tenant_ids = tenantIds is { Count: > 0 } ? tenantIds : null }, ct);
        if (!answer.Ok) (Errors, Error) = (answer.Errors, answer.Errors.Count > 0 ? null : answer.Message);
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var answer = await api.CallAsync(CurrentUser, "auto_accept/get", new { }, ct);
        if (answer.Ok) Setting = answer.As<AutoAcceptRow>();
        else Error ??= answer.Message;
        var history = await api.CallAsync(CurrentUser, "auto_accept/history", new { page_size = 100 }, ct);
        if (history.Ok) History = history.As<List<AutoAcceptChangeRow>>();
    }
}

/// <summary>The auto-accept setting as the console shows it.</summary>
public sealed record AutoAcceptRow(string Mode, IReadOnlyList<string> TenantIds, long Version, long? ChangedAt, string? ChangedBy);

/// <summary>One change of one auto-accept switch (a tenant's, or the installation default's when <see cref="TenantId"/> is null).</summary>
public sealed record AutoAcceptChangeRow(string? TenantId, long Version, bool Enabled, bool WasEnabled, long ChangedAt, string ChangedBy);
