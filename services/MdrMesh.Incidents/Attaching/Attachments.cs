using System.Security.Cryptography;
using System.Text.Json;
using Marten;
using Marten.Linq.MatchesSql;
using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.Attaching;

/// <summary>
/// <c>attachments/upload</c> (multipart: a <c>file</c> part, a <c>meta</c> part holding
/// <c>{"incident_id", "caption"}</c>), <c>attachments/list</c>, <c>attachments/download</c>. Files are
/// kept in PostgreSQL beside the incident, never run or shown: a download is always
/// <c>application/octet-stream</c> as an attachment, whatever the file claims to be.
/// </summary>
public static class Attachments
{
    public const int MaxNameLength = 255;

    /// <summary>The SOC's files are marked as theirs, everyone else's as the customer's.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(AddAttachmentCommand command, Incident incident)
    {
        if (incident.IsClosed) throw new IncidentConflict("The incident is closed: it can no longer change.");
        var caller = command.Caller;
        return [new AttachmentAdded(command.AttachmentId, command.FullName, command.Caption, command.FileSize, command.Sha256, command.ContentType,
            caller.IsSocOperator ? Origins.Soc : Origins.Customer, command.At, caller.Name, caller.Id)];
    }

    /// <summary>Every download is in the incident's history (who took which file, when), closed or not.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(DownloadAttachmentCommand command, Incident incident) =>
        [new AttachmentDownloaded(command.AttachmentId, command.At, command.Caller.Name, command.Caller.Id)];

    /// <summary>
    /// With an <c>Idempotency-Key</c>, the answer is stored in the commit that adds the attachment; a retry (the same incident,
    /// caption, file name and bytes) gets it again, and the bytes it sent again are dropped.
    /// </summary>
    public static async Task<IResult> Upload(HttpRequest http, Caller caller, IdempotencyKey key, IncidentStore incidents, IDocumentStore store,
        TimeProvider clock, Microsoft.Extensions.Options.IOptions<AttachmentOptions> options, CancellationToken ct)
    {
        if (key.Problem is { } badKey) return badKey;
        var limit = options.Value.MaxBytes;
        if (!http.HasFormContentType) return ApiProblems.BadRequest("file", "the body must be multipart/form-data with a file part and a meta part");
        var form = await http.ReadFormAsync(ct);
        var errors = new List<ValidationError>();
        var file = form.Files.GetFile("file");
        if (file is null) new Check(errors, "file").Fail("is required");
        var meta = ParseMeta(form["meta"].ToString(), errors);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (file!.Length > limit)
            return Results.Problem(statusCode: 413, title: "The file is too large.", detail: $"file: at most {limit} bytes.");
        var name = CleanName(file.FileName);
        if (name.Length == 0) return ApiProblems.BadRequest("file", "needs a file name (full_name)");
        var incident = await incidents.FindAsync(meta.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        var bytes = new byte[file.Length];
        await using (var content = file.OpenReadStream()) await content.ReadExactlyAsync(bytes, ct);
        var command = new AddAttachmentCommand(Guid.NewGuid(), name, meta.Caption, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ContentSniffing.Sniff(bytes), clock.GetUtcNow(), caller);
        var idempotent = key.For(caller, "attachments/upload", new { meta.IncidentId, meta.Caption, name, command.Sha256 });
        // Refused early only without a key: a retry of an upload that was answered before the incident closed gets that answer.
        if (incident.IsClosed && idempotent is null) return ApiProblems.Conflict("The incident is closed: it can no longer change.");
        // The bytes first: an event never names a file that is not there. If the incident refuses it (closed meanwhile), they go again.
        await AttachmentBlobs.WriteAsync(store, incident.TenantId, command.AttachmentId, bytes, ct);
        Incident changed;
        try
        {
            changed = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(command, current), ct, idempotent,
                idempotent is null ? null : (session, state) => idempotent.Insert(session, View(state), command.At));
        }
        catch (Exception failed)
        {
            await AttachmentBlobs.DeleteAsync(store, incident.TenantId, command.AttachmentId, CancellationToken.None);
            if (failed is AlreadyAnswered answered) return idempotent!.Replay(answered.Record);
            throw;
        }
        return Results.Ok(View(changed));

        AttachmentView View(Incident state) =>
            IncidentViews.Attachment(state.Attachments.Single(a => a.AttachmentId == command.AttachmentId), wasRead: true);
    }

    public static Task<IResult> List(ListAttachmentsRequest request, Caller caller, IDocumentStore store, CancellationToken ct)
        => Reading.ListAsync<IncidentAttachment>(request.IncidentId, nameof(Incident.Attachments), request.Fields, request.Page, request.PageSize,
            caller, store, a => (a.AttachmentId, a.AuthorId), (a, read) => IncidentViews.Attachment(a, read, request.MarkdownToHtml == true), ct);

    public static async Task<IResult> Download(DownloadAttachmentRequest request, Caller caller, IncidentStore incidents, IDocumentStore store,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "attachment_id").Required(request.AttachmentId);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (ApiIds.Parse(request.AttachmentId) is not { } id) return ApiProblems.NotFound("The attachment");
        var incident = request.IncidentId is not null ? await incidents.FindAsync(request.IncidentId, caller, ct) : await FindAsync(store, id, caller, ct);
        var attachment = incident?.Attachments.FirstOrDefault(a => a.AttachmentId == id);
        if (incident is null || attachment is null) return ApiProblems.NotFound("The attachment");
        var bytes = await AttachmentBlobs.ReadAsync(store, incident.TenantId, id, ct);
        if (bytes is null) return ApiProblems.NotFound("The attachment");
        var command = new DownloadAttachmentCommand(id, clock.GetUtcNow(), caller);
        await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(command, current), ct);
        return Results.File(bytes, "application/octet-stream", attachment.FullName);
    }

    private static async Task<Incident?> FindAsync(IDocumentStore store, Guid attachmentId, Caller caller, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var contained = JsonSerializer.Serialize(new[] { attachmentId });
        return await IncidentStore.Reachable(query, caller).Where(i => i.MatchesSql($"{IncidentIndex.AttachmentIds.Sql} @> ?::jsonb", contained))
            .FirstOrDefaultAsync(ct);
    }

    private sealed record Meta(string? IncidentId, string? Caption);

    private static Meta ParseMeta(string json, List<ValidationError> errors)
    {
        var at = new Check(errors, "meta");
        if (string.IsNullOrWhiteSpace(json))
        {
            at.Fail("is required: a JSON object with incident_id and caption");
            return new Meta(null, null);
        }
        Meta? meta = null;
        try
        {
            meta = JsonSerializer.Deserialize<Meta>(json, ApiJson.Options);
        }
        catch (JsonException)
        {
        }
        if (meta is null)
        {
            at.Fail("must be a JSON object with incident_id and caption");
            return new Meta(null, null);
        }
        at.Field("incident_id").NonEmpty(meta.IncidentId, 256);
        at.Field("caption").NonEmpty(meta.Caption, 4096, required: false);
        return meta;
    }

    // A name to show and to save as, never a path: the last segment, without control characters.
    private static string CleanName(string? fileName)
    {
        var last = (fileName ?? "").Replace('\\', '/').Split('/').Last();
        var clean = new string(last.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return clean.Length > MaxNameLength ? clean[..MaxNameLength] : clean;
    }
}
