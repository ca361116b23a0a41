namespace MdrMesh.Incidents.Attaching;

public sealed record IncidentAttachment(Guid AttachmentId, string FullName, string? Caption, long FileSize, string Sha256, string ContentType,
    string Origin, string Author, string? AuthorId, DateTimeOffset CreatedAt);
