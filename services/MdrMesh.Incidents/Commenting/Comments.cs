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
    /// <summary>The SOC's comments are marked as theirs, everyone else's as the customer's.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(AddCommentCommand command, Incident incident)
    {
        if (incident.IsClosed) throw new IncidentConflict("The incident is closed: it can no longer change.");
        var caller = command.Caller;
        return [new CommentAdded(command.CommentId, command.Text, command.At, caller.Name, caller.Id, caller.IsSocOperator ? Origins.Soc : Origins.Customer)];
    }

    /// <summary>Authorship is the connection's id: names are free text, and two connections may share one.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(DeleteCommentCommand command, Incident incident)
    {
        if (incident.IsClosed) throw new IncidentConflict("The incident is closed: it can no longer change.");
        var comment = incident.Comments.FirstOrDefault(c => c.CommentId == command.CommentId)
            ?? throw new KeyNotFoundException("comment");
        if (comment.AuthorId is null || comment.AuthorId != command.Caller.Id) throw new IncidentConflict("Only the author of a comment may delete it.");
        return [new CommentDeleted(command.CommentId, command.At, command.Caller.Name, command.Caller.Id)];
    }

    /// <summary>With an <c>Idempotency-Key</c>, the answer is stored in the commit that adds the comment; a retry gets it again.</summary>
    public static async Task<IResult> Create(CreateCommentRequest request, Caller caller, IdempotencyKey key, IncidentStore incidents,
        TimeProvider clock, CancellationToken ct)
    {
        if (key.Problem is { } badKey) return badKey;
        var errors = new List<ValidationError>();
        new Check(errors, "incident_id").Required(request.IncidentId);
        new Check(errors, "text").NonEmpty(request.Text, 16_384);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var incident = await incidents.FindAsync(request.IncidentId, caller, ct);
        if (incident is null) return ApiProblems.NotFound("The incident");

        var command = new AddCommentCommand(Guid.NewGuid(), request.Text!, clock.GetUtcNow(), caller);
        var idempotent = key.For(caller, "comments/create", request);
        try
        {
            var changed = await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(command, current), ct, idempotent,
                idempotent is null ? null : (session, state) => idempotent.Insert(session, View(state), command.At));
            return Results.Ok(View(changed));
        }
        catch (AlreadyAnswered answered)
        {
            return idempotent!.Replay(answered.Record);
        }

        CommentView View(Incident state) =>
            IncidentViews.Comment(state.Comments.Single(c => c.CommentId == command.CommentId), wasRead: true, request.MarkdownToHtml == true);
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

        var command = new DeleteCommentCommand(commentId, clock.GetUtcNow(), caller);
        await incidents.ChangeAsync(incident.TenantId, incident.Id, current => Decide(command, current), ct);
        return Results.Ok(new CommentDeletedView(command.CommentId, true));
    }
}

public sealed record CommentDeletedView(Guid CommentId, bool Deleted);
