using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.Commenting;

public sealed record CommentAdded(Guid CommentId, string Text, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record CommentDeleted(Guid CommentId, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record CreateCommentRequest(Guid? IncidentId, string? Text);

public sealed record ListCommentsRequest(Guid? IncidentId, int? Page, int? PageSize);

/// <summary><c>comment_id</c>; <c>incident_id</c> is optional and spares a search.</summary>
public sealed record DeleteCommentRequest(Guid? IncidentId, Guid? CommentId);

public static class Comments
{
    public static IReadOnlyList<IIncidentEvent> Add(Incident incident, CommentAdded comment) =>
        incident.IsClosed ? throw new IncidentConflict("The incident is closed: it can no longer change.") : [comment];

    /// <summary>Authorship is the connection's id: names are free text, and two connections may share one.</summary>
    public static IReadOnlyList<IIncidentEvent> Delete(Incident incident, CommentDeleted deletion, string callerId)
    {
        if (incident.IsClosed) throw new IncidentConflict("The incident is closed: it can no longer change.");
        var comment = incident.Comments.FirstOrDefault(c => c.CommentId == deletion.CommentId)
            ?? throw new KeyNotFoundException("comment");
        if (comment.AuthorId is null || comment.AuthorId != callerId) throw new IncidentConflict("Only the author of a comment may delete it.");
        return [deletion];
    }

    public static async Task<IResult> Create(CreateCommentRequest request, Caller caller, IncidentStore incidents, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "incident_id").Required(request.IncidentId);
        new Check(errors, "text").NonEmpty(request.Text, 16_384);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var incident = await incidents.FindAsync(request.IncidentId!.Value, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        var comment = new CommentAdded(Guid.NewGuid(), request.Text!, clock.GetUtcNow(), caller.Name, caller.Id);
        await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Add(current, comment), ct);
        return Results.Ok(IncidentViews.Comment(new IncidentComment(comment.CommentId, comment.Text, comment.By, comment.At, comment.ById)));
    }

    public static async Task<IResult> List(ListCommentsRequest request, Caller caller, IncidentStore incidents, CancellationToken ct)
    {
        if (request.IncidentId is null) return ApiProblems.BadRequest("incident_id", "is required");
        var incident = await incidents.FindAsync(request.IncidentId.Value, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");
        return Results.Ok(Paging.Page(incident.Comments.Select(IncidentViews.Comment), request.Page, request.PageSize));
    }

    public static async Task<IResult> Remove(DeleteCommentRequest request, Caller caller, IncidentStore incidents, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "comment_id").Required(request.CommentId);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var incident = request.IncidentId is { } incidentId
            ? await incidents.FindAsync(incidentId, caller, ct)
            : await incidents.FindByCommentAsync(request.CommentId!.Value, caller, ct);
        if (incident?.Comments.Any(c => c.CommentId == request.CommentId) != true) return ApiProblems.NotFound("The comment");

        var deletion = new CommentDeleted(request.CommentId!.Value, clock.GetUtcNow(), caller.Name, caller.Id);
        await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Delete(current, deletion, caller.Id), ct);
        return Results.Ok(new { comment_id = deletion.CommentId, deleted = true });
    }
}
