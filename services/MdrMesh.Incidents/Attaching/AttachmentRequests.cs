namespace MdrMesh.Incidents.Attaching;

public sealed record ListAttachmentsRequest(string? IncidentId, List<string>? Fields, bool? MarkdownToHtml, int? Page, int? PageSize);

/// <summary>
/// The form of <c>attachments/upload</c> (multipart): the file, and <c>meta</c>, a JSON object
/// <c>{"incident_id": "...", "caption": "..."}</c>.
/// </summary>
public sealed record AttachmentUploadForm(IFormFile File, string Meta);

/// <summary><c>attachment_id</c>; <c>incident_id</c> is optional and spares a search.</summary>
public sealed record DownloadAttachmentRequest(string? IncidentId, string? AttachmentId);
