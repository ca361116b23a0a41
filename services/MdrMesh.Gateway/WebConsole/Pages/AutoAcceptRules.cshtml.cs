using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>
/// Settings → auto-accept rules: one tenant's policy as <c>auto_accept/rules/get</c> shows it, edited as the JSON that
/// <c>auto_accept/rules/set</c> takes, and tried first with <c>auto_accept/simulate</c> over the tenant's last days: the
/// simulation's result is shown beside the draft, which is saved only by Save. The API checks everything; its errors
/// are shown by field.
/// </summary>
public sealed class AutoAcceptRulesModel(ConsoleApi api, TimeProvider clock) : ConsolePage
{
    /// <summary>A draft longer than this is refused before it reaches the API (the API's own bounds are smaller).</summary>
    public const int MaxDraft = 200_000;

    public static readonly int[] SimulationDays = [7, 30, 90];

    public string? Tenant { get; private set; }
    public string Draft { get; private set; } = "";
    public string Mode { get; private set; } = "OFF";
    public int Days { get; private set; } = 30;
    public JsonNode? Current { get; private set; }
    public JsonNode? Simulation { get; private set; }
    public string? Saved { get; private set; }
    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? tenant, CancellationToken ct)
    {
        if (!CurrentUser.May("auto_accept/rules/get")) return Forbid();
        Tenant = Bounded(tenant);
        await LoadAsync(ct);
        Draft = Current is { } current ? Pretty(new JsonObject { ["time_zone"] = current["time_zone"]?.DeepClone(), ["rules"] = current["rules"]?.DeepClone() }) : "";
        return Page();
    }

    public async Task<IActionResult> OnPostSimulateAsync(string? tenant, string? draft, string? mode, int? days, CancellationToken ct)
    {
        if (!CurrentUser.May("auto_accept/simulate")) return Forbid();
        (Tenant, Draft, Mode, Days) = (Bounded(tenant), draft ?? "", mode == "ON" ? "ON" : "OFF", SimulationDays.Contains(days ?? 0) ? days!.Value : 30);
        if (Parse() is { } policy)
        {
            // A little past now: the approvals service's clock (another machine's, perhaps) may run ahead of this one.
            var to = clock.GetUtcNow() + TimeSpan.FromMinutes(5);
            var answer = await api.CallAsync(CurrentUser, "auto_accept/simulate", new
            {
                tenant_id = Tenant,
                draft = new { mode = Mode, rules = policy["rules"], time_zone = policy["time_zone"] },
                from = (to - TimeSpan.FromDays(Days)).ToUnixTimeMilliseconds(),
                to = to.ToUnixTimeMilliseconds(),
            }, ct);
            if (answer.Ok) Simulation = answer.Body;
            else Failed(answer);
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string? tenant, string? draft, CancellationToken ct)
    {
        if (!CurrentUser.May("auto_accept/rules/set")) return Forbid();
        (Tenant, Draft) = (Bounded(tenant), draft ?? "");
        if (Parse() is { } policy)
        {
            var answer = await api.CallAsync(CurrentUser, "auto_accept/rules/set",
                new { tenant_id = Tenant, rules = policy["rules"], time_zone = policy["time_zone"] }, ct);
            if (answer.Ok) Saved = $"Saved as version {answer.Body?["version"]}.";
            else Failed(answer);
        }
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>The draft as an object <c>{time_zone, rules}</c>; null (and the error shown) when it is not one.</summary>
    private JsonObject? Parse()
    {
        if (Draft.Length > MaxDraft)
        {
            Errors = new Dictionary<string, string> { ["draft"] = $"must be at most {MaxDraft} characters" };
            return null;
        }
        try
        {
            if (JsonNode.Parse(Draft.Length == 0 ? "{}" : Draft) is JsonObject policy) return policy;
        }
        catch (JsonException e)
        {
            Errors = new Dictionary<string, string> { ["draft"] = $"is not JSON: {e.Message}" };
            return null;
        }
        Errors = new Dictionary<string, string> { ["draft"] = "must be an object: {\"time_zone\": ..., \"rules\": [...]}" };
        return null;
    }

    private void Failed(ApiAnswer answer) => (Errors, Error) = (answer.Errors, answer.Errors.Count > 0 ? null : answer.Message);

    private async Task LoadAsync(CancellationToken ct)
    {
        var answer = await api.CallAsync(CurrentUser, "auto_accept/rules/get", new { tenant_id = Tenant }, ct);
        if (answer.Ok) Current = answer.Body;
        else if (Error is null && Errors.Count == 0) Error = answer.Errors.Count > 0 ? string.Join("; ", answer.Errors.Select(e => $"{e.Key} {e.Value}")) : answer.Message;
    }

    private static string? Bounded(string? tenant) => string.IsNullOrWhiteSpace(tenant) ? null : tenant.Trim()[..Math.Min(tenant.Trim().Length, 128)];

    public static string Pretty(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "";
}
