using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>The SOC raises an incident (<c>incidents/create</c>, as the user); the API's errors are shown beside their fields.</summary>
public sealed class NewIncidentModel(ConsoleApi api) : ConsolePage
{
    public static readonly (string Name, string Label, string Kind)[] Fields =
    [
        ("summary", "Summary", "text"), ("tenant_id", "Tenant id", "text"), ("priority", "Priority", "choice"),
        ("affected_hosts", "Affected hosts (HOST:asset_id, comma-separated)", "text"), ("description", "Description", "long"),
        ("mitre_tactics", "MITRE tactics (comma-separated)", "text"), ("mitre_techniques", "MITRE techniques (comma-separated)", "text"),
    ];

    private readonly Dictionary<string, string?> _posted = [];
    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();
    public string? Error { get; private set; }
    public string? Posted(string field) => _posted.GetValueOrDefault(field);

    public IActionResult OnGet() => CurrentUser.May("incidents/create") ? Page() : Forbid();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        foreach (var (name, _, _) in Fields) _posted[name] = Request.Form[name].ToString();
        var answer = await api.CallAsync(CurrentUser, "incidents/create", new
        {
            summary = Blank(Posted("summary")), tenant_id = Blank(Posted("tenant_id")), priority = Blank(Posted("priority")),
            affected_hosts = List(Posted("affected_hosts")), description = Blank(Posted("description")),
            mitre_tactics = List(Posted("mitre_tactics")), mitre_techniques = List(Posted("mitre_techniques")),
        }, ct);
        if (answer.Ok) return Redirect($"/incidents/{Uri.EscapeDataString(answer.Body!["incident_id"]!.GetValue<string>())}");
        (Errors, Error) = (answer.Errors, answer.Errors.Count > 0 ? "The incident was not raised: see the fields below." : answer.Message);
        return Page();
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string[]? List(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(1000).ToArray() is { Length: > 0 } items ? items : null;
}
