using MdrMesh.Contracts.Validation;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.ServiceDefaults;
using Marten;

namespace MdrMesh.Incidents.Commenting;

/// <summary><see cref="Origin"/>: <c>SOC</c> or <c>CUSTOMER</c> (null on comments written before it was kept: shown as the customer's).</summary>
public sealed record CommentAdded(Guid CommentId, string Text, DateTimeOffset At, string By, string? ById = null, string? Origin = null) : IIncidentEvent;

public sealed record CommentDeleted(Guid CommentId, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record CreateCommentRequest(string? IncidentId, string? Text, bool? MarkdownToHtml);

public sealed record ListCommentsRequest(string? IncidentId, List<string>? Fields, bool? MarkdownToHtml, int? Page, int? PageSize);

/// <summary><c>comment_id</c>; <c>incident_id</c> is optional and spares a search.</summary>
public sealed record DeleteCommentRequest(string? IncidentId, string? CommentId);

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
        var incident = await incidents.FindAsync(request.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        var origin = caller.IsSocOperator ? Origins.Soc : Origins.Customer;
        var comment = new CommentAdded(Guid.NewGuid(), request.Text!, clock.GetUtcNow(), caller.Name, caller.Id, origin);
        var changed = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Add(current, comment), ct);
        var added = changed.Comments.Single(c => c.CommentId == comment.CommentId);
        return Results.Ok(IncidentViews.Comment(added, wasRead: true, request.MarkdownToHtml == true));
    }

    /// <summary>The page as the caller had read it before; listing it marks it read for the caller.</summary>
    public static Task<IResult> List(ListCommentsRequest request, Caller caller, IDocumentStore store, CancellationToken ct)
        => Reading.ListAsync<IncidentComment>(request.IncidentId, nameof(Incident.Comments), request.Fields, request.Page, request.PageSize,
            caller, store, c => (c.CommentId, c.AuthorId), (c, read) => IncidentViews.Comment(c, read, request.MarkdownToHtml == true), ct);

    public static async Task<IResult> Remove(DeleteCommentRequest request, Caller caller, IncidentStore incidents, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "comment_id").Required(request.CommentId);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (ApiIds.Parse(request.CommentId) is not { } commentId) return ApiProblems.NotFound("The comment");
        var incident = request.IncidentId is not null
            ? await incidents.FindAsync(request.IncidentId, caller, ct)
            : await incidents.FindByCommentAsync(commentId, caller, ct);
        if (incident?.Comments.Any(c => c.CommentId == commentId) != true) return ApiProblems.NotFound("The comment");

        var deletion = new CommentDeleted(commentId, clock.GetUtcNow(), caller.Name, caller.Id);
        await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Delete(current, deletion, caller.Id), ct);
        return Results.Ok(new CommentDeletedView(deletion.CommentId, true));
    }
}

public sealed record CommentDeletedView(Guid CommentId, bool Deleted);
