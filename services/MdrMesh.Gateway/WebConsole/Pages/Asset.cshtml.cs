using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>One asset as <c>assets/details</c> answers it: every field, its files, processes, registry and quarantine as tables.</summary>
public sealed class AssetModel(ConsoleApi api) : ConsolePage
{
    public string Id { get; private set; } = "";
    public JsonObject? Asset { get; private set; }
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        Id = id;
        var answer = await api.CallAsync(CurrentUser, "assets/details", new { asset_id = id }, ct);
        if (answer.Ok && answer.Body is JsonObject asset) Asset = asset;
        else
        {
            Error = answer.Status == 404 ? "No such asset in the tenants you may reach." : answer.Message;
            Response.StatusCode = answer.Status == 404 ? 404 : 200;
        }
        return Page();
    }
}
