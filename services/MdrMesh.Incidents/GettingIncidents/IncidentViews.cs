using System.Text.Json;
using System.Text.Json.Nodes;
using MdrMesh.Contracts.Responses;
using MdrMesh.Incidents.Attaching;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.GettingIncidents;

/// <summary>The incident object of the API (snake_case on the wire, times in Unix milliseconds).</summary>
public sealed record IncidentView(
    string IncidentId,
    long IncidentNumber,
    string Summary,
    string? Description,
    string Priority,
    string Status,
    string? Resolution,
    string? StatusDescription,
    IReadOnlyList<string> AffectedHosts,
    IReadOnlyList<string> MitreTactics,
    IReadOnlyList<string> MitreTechniques,
    string? DetectionTechnology,
    long CreationTime,
    long UpdateTime,
    string? ClientDescription,
    string Origin,
    string TenantName,
    bool NoSlaFlag,
    IReadOnlyList<ResponseView> Responses,
    IReadOnlyList<CommentView> Comments,
    IReadOnlyList<AttachmentView> Attachments);

/// <summary>A response as <c>responses/list</c> shows it. <c>details</c> holds the outcome, or the failure's reason.</summary>
public sealed record ResponseView(
    string ResponseId,
    string IncidentId,
    string Type,
    JsonObject Parameters,
    IReadOnlyDictionary<string, string> Details,
    string AssetId,
    string Status,
    string? Comment,
    string? Description,
    string ProposedBy,
    string? DecidedBy,
    UndoneByView? UndoneBy,
    long CreationTime,
    long UpdateTime);

/// <summary>The response that undid this one (<c>response_id</c> null when an isolation ran out its term), why, and when.</summary>
public sealed record UndoneByView(string? ResponseId, string Reason, long Time);

/// <summary>
/// The spec's attachment object. <c>link</c> is the method that returns its bytes (POST it with
/// <c>attachment_id</c>); <c>sha256</c> and <c>content_type</c> (sniffed from the bytes) are MdrMesh's own.
/// </summary>
public sealed record AttachmentView(string AttachmentId, string AuthorName, string? Caption, long CreationTime, long FileSize, string FullName,
    string Link, string Origin, bool WasRead, string Sha256, string ContentType);

/// <summary>The spec's comment object; <c>author_id</c> (the author's connection id) is MdrMesh's own, what deleting is checked against.</summary>
public sealed record CommentView(string CommentId, string AuthorName, string Text, long CreationTime, string Origin, bool WasRead, string? AuthorId);

public static class IncidentViews
{
    /// <summary>
    /// The incident; isolation passwords only those in <paramref name="passwords"/> (already recorded as revealed);
    /// <c>was_read</c> of its comments and attachments as <paramref name="wasRead"/> says (false without it).
    /// </summary>
    public static IncidentView Incident(Incident i, IReadOnlyDictionary<Guid, string>? passwords = null, Reading.WasRead? wasRead = null) => new(
        i.Id.ToString(), i.Number, i.Summary, i.Description, i.Priority, i.Status, i.Resolution, i.StatusDescription,
        i.AffectedHosts, i.MitreTactics, i.MitreTechniques, i.DetectionTechnology, i.CreatedAt.ToUnixMs(), i.UpdatedAt.ToUnixMs(),
        i.ClientDescription, i.Origin, i.TenantId, i.NoSla,
        i.Responses.Select(r => Response(r, i.Id, passwords?.GetValueOrDefault(r.ResponseId))).ToList(),
        i.Comments.Select(c => Comment(c, wasRead?.Invoke(c.CommentId, c.AuthorId) == true)).ToList(),
        i.Attachments.Select(a => Attachment(a, wasRead?.Invoke(a.AttachmentId, a.AuthorId) == true)).ToList());

    /// <summary>The attachment; its caption rendered from Markdown to sanitized HTML when <paramref name="html"/>.</summary>
    public static AttachmentView Attachment(IncidentAttachment a, bool wasRead, bool html = false) => new(
        a.AttachmentId.ToString(), a.Author, html && a.Caption is not null ? Commenting.MarkdownHtml.Render(a.Caption) : a.Caption,
        a.CreatedAt.ToUnixMs(), a.FileSize, a.FullName, "attachments/download", a.Origin, wasRead, a.Sha256, a.ContentType);

    /// <summary>The response; <paramref name="password"/> is added to an isolation's parameters only when given (a recorded reveal).</summary>
    public static ResponseView Response(IncidentResponse r, Guid incidentId, string? password = null) => new(
        r.ResponseId.ToString(), incidentId.ToString(), r.Parameters.Type, Parameters(r.Parameters, password), r.Details,
        r.AssetId, r.Status.ToString(), r.Comment, r.Description, r.ProposedBy, r.DecidedBy,
        r.Undo is { } undo ? new UndoneByView(undo.ResponseId?.ToString(), undo.Reason, undo.At.ToUnixMs()) : null,
        r.CreatedAt.ToUnixMs(), r.UpdatedAt.ToUnixMs());

    /// <summary>The comment; its text rendered from Markdown to sanitized HTML when <paramref name="html"/>.</summary>
    public static CommentView Comment(IncidentComment c, bool wasRead, bool html = false) => new(
        c.CommentId.ToString(), c.Author, html ? Commenting.MarkdownHtml.Render(c.Text) : c.Text, c.CreatedAt.ToUnixMs(), c.Origin, wasRead, c.AuthorId);

    // The spec's wire names; the type travels beside the parameters, not inside them. A password
    // the parameters might still hold is dropped: only a recorded reveal puts one in an answer.
    private static JsonObject Parameters(ResponseParameters parameters, string? password)
    {
        var json = JsonSerializer.SerializeToNode(parameters, ResponseJson.Options)!.AsObject();
        json.Remove("type");
        json.Remove("password");
        if (password is not null && parameters is IsolateParameters) json["password"] = password;
        return json;
    }

    /// <summary>Keeps only the keys named in <c>fields</c>; without it, every key.</summary>
    public static object Select<T>(T view, IReadOnlyCollection<string>? fields) => Fields.Project(view, fields);
}
