using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.Attaching;

/// <summary><see cref="Caller"/> is about to receive the file: record who took it, when.</summary>
public sealed record DownloadAttachmentCommand(Guid AttachmentId, DateTimeOffset At, Caller Caller);
