using MdrMesh.ServiceDefaults;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>
/// One incident: its summary, its responses with their parameters, Accept / Decline one at a time or on a selection
/// (<c>response/update</c>, <c>responses/update</c>, as the user), statuses that update by themselves (the page's script
/// polls <see cref="OnGetStatusesAsync"/>) and the history as a timeline.
/// </summary>
// An attached file may be as large as the API takes (Attachments:MaxBytes, 25 MiB by default), which then decides.
[RequestSizeLimit(27 * 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = 27 * 1024 * 1024)]
public sealed class IncidentModel(ConsoleApi api) : ConsolePage
{
    public IncidentRow? Incident { get; private set; }
    /// <summary>The password a person asked to see, shown in its response's row.</summary>
    public (string ResponseId, string Password)? Revealed { get; private set; }
    /// <summary>The SOC, and deciders in the incident's tenant (the API checks the tenant), may see isolation passwords.</summary>
    public bool MayReveal => CurrentUser.Holds(Rights.SocOperator) || MayDecide;
    public IReadOnlyList<HistoryRow> History { get; private set; } = [];
    public string? Error { get; private set; }
    public bool MayDecide => CurrentUser.May("response/update");

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        await LoadAsync(id, ct);
        return Incident is null ? NotFoundPage() : Page();
    }

    /// <summary>Each response's status and, once it failed, why: what the page's script needs to update itself.</summary>
    public async Task<IActionResult> OnGetStatusesAsync(string id, CancellationToken ct)
    {
        var answer = await api.CallAsync(CurrentUser, "responses/list", new { incident_id = id, page_size = 1000, reveal_passwords = false }, ct);
        if (!answer.Ok) return StatusCode(answer.Status);
        return new JsonResult(answer.As<List<ResponseRow>>().ToDictionary(r => r.ResponseId, r => new { status = r.Status, details = Reason(r) }));
    }

    public async Task<IActionResult> OnPostDecideAsync(string id, string? responseId, string? status, string? comment, CancellationToken ct)
    {
        var answer = await api.CallAsync(CurrentUser, "response/update", new { response_id = responseId, status, comment }, ct);
        return await AfterDecisionAsync(id, answer, ct);
    }

    public async Task<IActionResult> OnPostDecideManyAsync(string id, string[]? selected, string? status, string? comment, CancellationToken ct)
    {
        if (selected is not { Length: > 0 })
        {
            Error = "Select one or more responses first.";
            await LoadAsync(id, ct);
            return Page();
        }
        var answer = await api.CallAsync(CurrentUser, "responses/update", new { responses_ids = selected.Take(1000), status, comment }, ct);
        return await AfterDecisionAsync(id, answer, ct);
    }

    public async Task<IActionResult> OnPostCommentAsync(string id, string? text, CancellationToken ct)
    {
        var answer = await api.CallAsync(CurrentUser, "comments/create", new { incident_id = id, text }, ct);
        return await AfterDecisionAsync(id, answer, ct);
    }

    /// <summary>A file of the incident, always as a download (never shown in the page); the API records who took it.</summary>
    public async Task<IActionResult> OnGetAttachmentAsync(string id, string? attachmentId, CancellationToken ct)
    {
        var (answer, file) = await api.DownloadAsync(CurrentUser, "attachments/download", new { incident_id = id, attachment_id = attachmentId }, ct);
        if (file is null) return StatusCode(answer.Status == 200 ? 502 : answer.Status);
        HttpContext.Response.RegisterForDispose(file);
        var name = file.Content.Headers.ContentDisposition?.FileNameStar ?? file.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "attachment";
        return File(await file.Content.ReadAsStreamAsync(ct), "application/octet-stream", name);
    }

    /// <summary>Attaches a file (the API checks the rights and the size); a SOC analyst's is marked as the SOC's.</summary>
    public async Task<IActionResult> OnPostUploadAsync(string id, IFormFile? file, string? caption, CancellationToken ct)
    {
        if (file is null)
        {
            Error = "Choose a file first.";
            await LoadAsync(id, ct);
            return Page();
        }
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(file.OpenReadStream()), "file", file.FileName },
            { new StringContent(System.Text.Json.JsonSerializer.Serialize(new { incident_id = id, caption = string.IsNullOrWhiteSpace(caption) ? null : caption })), "meta" },
        };
        var answer = await api.UploadAsync(CurrentUser, "attachments/upload", form, ct);
        return await AfterDecisionAsync(id, answer, ct);
    }

    /// <summary>Deletes a comment; the API allows it only to its author.</summary>
    public async Task<IActionResult> OnPostDeleteCommentAsync(string id, string? commentId, CancellationToken ct)
    {
        var answer = await api.CallAsync(CurrentUser, "comments/delete", new { comment_id = commentId }, ct);
        return await AfterDecisionAsync(id, answer, ct);
    }

    /// <summary>One isolation's password, on request: the API records the reveal in the incident's history.</summary>
    public async Task<IActionResult> OnPostRevealAsync(string id, string? responseId, CancellationToken ct)
    {
        var answer = await api.CallAsync(CurrentUser, "responses/list", new { incident_id = id, page_size = 1000, reveal_passwords = true }, ct);
        if (answer.Ok && answer.As<List<ResponseRow>>().FirstOrDefault(r => r.ResponseId == responseId) is { } shown
                      && shown.Parameters["password"]?.GetValue<string>() is { } password)
            Revealed = (shown.ResponseId, password);
        else Error = answer.Ok ? "No password can be shown for this response." : answer.Message;
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task<IActionResult> AfterDecisionAsync(string id, ApiAnswer answer, CancellationToken ct)
    {
        // Post, then redirect: a reload does not send it again.
        if (answer.Ok) return Redirect($"/incidents/{Uri.EscapeDataString(id)}");
        Error = answer.Errors.Count > 0 ? string.Join("; ", answer.Errors.Select(e => $"{e.Key} {e.Value}")) : answer.Message;
        await LoadAsync(id, ct);
        return Page();
    }

    private async Task LoadAsync(string id, CancellationToken ct)
    {
        (Incident, var error) = await api.IncidentAsync(CurrentUser, id, ct);
        Error ??= error;
        if (Incident is null) return;
        var history = await api.CallAsync(CurrentUser, "incidents/history", new { incident_id = id, page_size = 1000 }, ct);
        if (history.Ok) History = history.As<List<HistoryRow>>();
    }

    private IActionResult NotFoundPage()
    {
        Response.StatusCode = 404;
        return Page();
    }

    public static string Reason(ResponseRow r) =>
        r.Status == "Failed" ? string.Join("; ", r.Details.Select(d => $"{d.Key}: {d.Value}")) : "";

    public static string Shown(JsonElement? value) => value is not { } v ? "—" : v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
}

/// <summary>A history record as the console shows it.</summary>
public sealed record HistoryRow(long ChangedAt, string ChangedBy, string Operation, IReadOnlyDictionary<string, JsonElement> Entity,
    IReadOnlyList<ChangeRow> Changes);

public sealed record ChangeRow(string Field, JsonElement? Before, JsonElement? After);
