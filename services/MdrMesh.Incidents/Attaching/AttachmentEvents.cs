namespace MdrMesh.Incidents.Attaching;

/// <summary>A file attached to the incident; its bytes are in <see cref="AttachmentBlobs"/>, written before this event.</summary>
public sealed record AttachmentAdded(Guid AttachmentId, string FullName, string? Caption, long FileSize, string Sha256, string ContentType,
    string Origin, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary>Someone downloaded the file: history, not a change of the incident.</summary>
public sealed record AttachmentDownloaded(Guid AttachmentId, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;
