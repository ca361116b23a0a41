using System.Security.Cryptography;
using System.Text.Json;
using Marten;
using Marten.Linq.MatchesSql;
using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.Commenting;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;
using Weasel.Postgresql.Tables;

namespace MdrMesh.Incidents.Attaching;

/// <summary>A file attached to the incident; its bytes are in <see cref="AttachmentBlobs"/>, written before this event.</summary>
public sealed record AttachmentAdded(Guid AttachmentId, string FullName, string? Caption, long FileSize, string Sha256, string ContentType,
    string Origin, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary>Someone downloaded the file: history, not a change of the incident.</summary>
public sealed record AttachmentDownloaded(Guid AttachmentId, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record IncidentAttachment(Guid AttachmentId, string FullName, string? Caption, long FileSize, string Sha256, string ContentType,
    string Origin, string Author, string? AuthorId, DateTimeOffset CreatedAt);

public sealed record ListAttachmentsRequest(string? IncidentId, List<string>? Fields, bool? MarkdownToHtml, int? Page, int? PageSize);

/// <summary><c>attachment_id</c>; <c>incident_id</c> is optional and spares a search.</summary>
/// <summary>
/// The form of <c>attachments/upload</c> (multipart): the file, and <c>meta</c>, a JSON object
/// <c>{"incident_id": "...", "caption": "..."}</c>.
/// </summary>
public sealed record AttachmentUploadForm(IFormFile File, string Meta);

public sealed record DownloadAttachmentRequest(string? IncidentId, string? AttachmentId);

/// <summary><c>Attachments:MaxBytes</c>: the largest file accepted (default 25 MiB; larger is 413).</summary>
public sealed class AttachmentOptions
{
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;
}

/// <summary>
/// <c>attachments/upload</c> (multipart: a <c>file</c> part, a <c>meta</c> part holding
/// <c>{"incident_id", "caption"}</c>), <c>attachments/list</c>, <c>attachments/download</c>. Files are
/// kept in PostgreSQL beside the incident, never run or shown: a download is always
/// <c>application/octet-stream</c> as an attachment, whatever the file claims to be.
/// </summary>
public static class Attachments
{
    public const int MaxNameLength = 255;

    public static IReadOnlyList<IIncidentEvent> Add(Incident incident, AttachmentAdded added) =>
        incident.IsClosed ? throw new IncidentConflict("The incident is closed: it can no longer change.") : [added];

    public static async Task<IResult> Upload(HttpRequest http, Caller caller, IncidentStore incidents, IDocumentStore store, TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<AttachmentOptions> options, CancellationToken ct)
    {
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
        if (incident.IsClosed) return ApiProblems.Conflict("The incident is closed: it can no longer change.");

        var bytes = new byte[file.Length];
        await using (var content = file.OpenReadStream()) await content.ReadExactlyAsync(bytes, ct);
        var added = new AttachmentAdded(Guid.NewGuid(), name, meta.Caption, bytes.LongLength, Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ContentSniffing.Sniff(bytes), caller.IsSocOperator ? Origins.Soc : Origins.Customer, clock.GetUtcNow(), caller.Name, caller.Id);
        // The bytes first: an event never names a file that is not there. If the incident refuses it (closed meanwhile), they go again.
        await AttachmentBlobs.WriteAsync(store, incident.TenantId, added.AttachmentId, bytes, ct);
        Incident changed;
        try
        {
            changed = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Add(current, added), ct);
        }
        catch
        {
            await AttachmentBlobs.DeleteAsync(store, incident.TenantId, added.AttachmentId, CancellationToken.None);
            throw;
        }
        var attachment = changed.Attachments.Single(a => a.AttachmentId == added.AttachmentId);
        return Results.Ok(IncidentViews.Attachment(attachment, wasRead: true));
    }

    public static Task<IResult> List(ListAttachmentsRequest request, Caller caller, IncidentStore incidents, IDocumentStore store,
        CancellationToken ct)
        => Reading.ListAsync(request.IncidentId, request.Fields, request.Page, request.PageSize, caller, incidents, store,
            i => i.Attachments, a => (a.AttachmentId, a.AuthorId), (a, read) => IncidentViews.Attachment(a, read, request.MarkdownToHtml == true), ct);

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
        // Every download is in the incident's history (who took which file, when).
        await incidents.ChangeAsync(incident.TenantId, incident.Id, _ => [new AttachmentDownloaded(id, clock.GetUtcNow(), caller.Name, caller.Id)], ct);
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

/// <summary>The files' bytes, in a table of their own beside the incident documents (bytea, not JSON).</summary>
public static class AttachmentBlobs
{
    public const string Table = "attachment_blobs";

    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Table}");
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<string>("tenant_id").NotNull();
        table.AddColumn("data", "bytea").NotNull();
        return table;
    }

    public static Task WriteAsync(IDocumentStore store, string tenantId, Guid id, byte[] data, CancellationToken ct) =>
        // A second write of the same id (a redelivered completion) keeps the first.
        ExecuteAsync(store, $"insert into {IncidentStore.Schema}.{Table} (id, tenant_id, data) values ($1, $2, $3) on conflict (id) do nothing",
            ct, id, tenantId, data);

    public static Task DeleteAsync(IDocumentStore store, string tenantId, Guid id, CancellationToken ct) =>
        ExecuteAsync(store, $"delete from {IncidentStore.Schema}.{Table} where id = $1 and tenant_id = $2", ct, id, tenantId);

    public static async Task<byte[]?> ReadAsync(IDocumentStore store, string tenantId, Guid id, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand($"select data from {IncidentStore.Schema}.{Table} where id = $1 and tenant_id = $2", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenantId });
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    private static async Task ExecuteAsync(IDocumentStore store, string sql, CancellationToken ct, params object[] values)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>What a file is by its first bytes, not by its name or what the uploader said: recorded, never acted on.</summary>
public static class ContentSniffing
{
    private static readonly (byte[] Magic, string Type)[] Signatures =
    [
        ("%PDF-"u8.ToArray(), "application/pdf"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ([0xFF, 0xD8, 0xFF], "image/jpeg"),
        ("GIF8"u8.ToArray(), "image/gif"),
        ([0x50, 0x4B, 0x03, 0x04], "application/zip"),
        ([0x1F, 0x8B], "application/gzip"),
        ("MZ"u8.ToArray(), "application/x-msdownload"),
        ([0x7F, 0x45, 0x4C, 0x46], "application/x-elf"),
        ("MDMP"u8.ToArray(), "application/x-dmp"),
    ];

    public static string Sniff(ReadOnlySpan<byte> bytes)
    {
        foreach (var (magic, type) in Signatures)
            if (bytes.StartsWith(magic)) return type;
        var head = bytes[..Math.Min(bytes.Length, 4096)];
        return head.IndexOf((byte)0) < 0 && System.Text.Unicode.Utf8.IsValid(head) ? "text/plain" : "application/octet-stream";
    }
}
