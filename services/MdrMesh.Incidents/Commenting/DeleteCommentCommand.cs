using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.Commenting;

/// <summary>Delete a comment; only its author (by connection id) may.</summary>
public sealed record DeleteCommentCommand(Guid CommentId, DateTimeOffset At, Caller Caller);
