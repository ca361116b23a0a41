using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.Attaching;

/// <summary>
/// Attach a file whose bytes are already in <see cref="AttachmentBlobs"/> under <see cref="AttachmentId"/> (new); its size, hash and
/// sniffed type are read from those bytes by the handler, which holds them.
/// </summary>
public sealed record AddAttachmentCommand(Guid AttachmentId, string FullName, string? Caption, long FileSize, string Sha256, string ContentType,
    DateTimeOffset At, Caller Caller);
