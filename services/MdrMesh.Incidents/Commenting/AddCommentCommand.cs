using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.Commenting;

/// <summary>Add a comment (<see cref="CommentId"/> is new) as <see cref="Caller"/>.</summary>
public sealed record AddCommentCommand(Guid CommentId, string Text, DateTimeOffset At, Caller Caller);
