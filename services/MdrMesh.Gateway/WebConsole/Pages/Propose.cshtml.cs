using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>
/// The SOC proposes a response: a form per response type (<see cref="ProposalForms"/>), sent as <c>responses/create</c>
/// by the user; the API's validation errors are shown beside the inputs they name.
/// </summary>
public sealed class ProposeModel(ConsoleApi api) : ConsolePage
{
    public IncidentRow? Incident { get; private set; }
    public string Type { get; private set; } = "ISOLATE";
    public IReadOnlyList<string> Assets { get; private set; } = [];
    public string? Error { get; private set; }
    private IReadOnlyDictionary<string, string> _errors = new Dictionary<string, string>();
    private readonly Dictionary<string, string?> _posted = [];

    public string? Posted(string field) => _posted.GetValueOrDefault(field);
    public string? ErrorOf(string field) => _errors.GetValueOrDefault(field);

    /// <summary>Errors no input of the form names (shown below it, with their field).</summary>
    public IEnumerable<KeyValuePair<string, string>> OtherErrors => _errors.Where(e =>
        e.Key is not ("asset_id" or "description") && ProposalForms.FieldsOf(Type).All(f => "parameters." + f.Path != e.Key));

    public async Task<IActionResult> OnGetAsync(string id, string? type, CancellationToken ct)
    {
        if (!CurrentUser.May("responses/create")) return Forbid();
        Type = ProposalForms.Types.Contains(type) ? type! : "ISOLATE";
        await LoadAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, string? type, CancellationToken ct)
    {
        if (!CurrentUser.May("responses/create")) return Forbid();
        Type = ProposalForms.Types.Contains(type) ? type! : "ISOLATE";
        foreach (var (key, value) in Request.Form) if (key.Length <= 128) _posted[key] = value.ToString();
        var parameters = ProposalForms.Parameters(Type, Posted);
        var answer = await api.CallAsync(CurrentUser, "responses/create", new
        {
            incident_id = id, asset_id = Posted("asset_id"), type = Type, parameters,
            description = string.IsNullOrWhiteSpace(Posted("description")) ? null : Posted("description"),
        }, ct);
        if (answer.Ok) return Redirect($"/incidents/{Uri.EscapeDataString(id)}");
        _errors = answer.Errors;
        Error = _errors.Count > 0 ? "The response was not proposed: see the fields below." : answer.Message;
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task LoadAsync(string id, CancellationToken ct)
    {
        (Incident, var error) = await api.IncidentAsync(CurrentUser, id, ct);
        Error ??= error;
        if (Incident is null) return;
        // An affected host is written HOST:asset_id or as a bare asset id.
        Assets = Incident.AffectedHosts.Select(h => h.LastIndexOf(':') is var i and >= 0 ? h[(i + 1)..] : h).Distinct().ToList();
    }
}
