using Marten;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents;

/// <summary>
/// The comments and attachments of one incident that one reader (a connection id) has listed:
/// <c>was_read</c> is per reader. A read is not a change of the incident, so it lives beside it,
/// not in its stream, and leaves its update time alone.
/// </summary>
public sealed record ReadMarks(string Id, IReadOnlyList<Guid> ItemIds)
{
    public static string IdOf(Guid incidentId, string readerId) => $"{incidentId:N}/{readerId}";
}

/// <summary><c>was_read</c> of comments and attachments: its author has read an item; anyone else once they listed it.</summary>
public static class Reading
{
    /// <summary>Whether the reader has read an item (by its id and its author's id).</summary>
    public delegate bool WasRead(Guid itemId, string? authorId);

    /// <summary>For incidents shown to <paramref name="caller"/>: what the caller has read of them (one query for a whole page).</summary>
    public static async Task<WasRead> ReadByAsync(IDocumentStore store, IReadOnlyCollection<Incident> incidents, Caller caller, CancellationToken ct)
    {
        var ids = incidents.Where(i => i.Comments.Count > 0 || i.Attachments.Count > 0).Select(i => ReadMarks.IdOf(i.Id, caller.Id)).ToArray();
        if (ids.Length == 0) return (_, author) => author == caller.Id;
        await using var query = store.QuerySession();
        var marks = await query.Query<ReadMarks>().Where(r => r.AnyTenant() && r.Id.IsOneOf(ids)).ToListAsync(ct);
        var read = marks.SelectMany(r => r.ItemIds).ToHashSet();
        return (item, author) => author == caller.Id || read.Contains(item);
    }

    /// <summary>
    /// <c>comments/list</c> and <c>attachments/list</c>: a page of one incident's <paramref name="member"/> (the name of a
    /// list of <see cref="Incident"/>), each shown with <c>was_read</c> as it was before this listing, which marks them read for the caller.
    /// </summary>
    public static async Task<IResult> ListAsync<T>(string? incidentId, string member, List<string>? fields, int? page, int? pageSize, Caller caller,
        IDocumentStore store, Func<T, (Guid Id, string? AuthorId)> key, Func<T, bool, object> view, CancellationToken ct)
    {
        var errors = new List<MdrMesh.Contracts.Validation.ValidationError>();
        new MdrMesh.Contracts.Validation.Check(errors, "incident_id").Required(incidentId);
        new MdrMesh.Contracts.Validation.Check(errors, "fields").Items(fields, 64);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        var shown = await IncidentItems<T>.PageAsync(store, incidentId, member, caller, page, pageSize, ct);
        if (shown is null) return ApiProblems.NotFound("The incident");
        var wasRead = await MarkAsync(store, shown.TenantId, shown.IncidentId, caller, shown.Items.Select(key).ToList(), ct);
        return Results.Ok(shown.Items.Select(item => Fields.Project(view(item, wasRead(key(item).Id, key(item).AuthorId)), fields)).ToList());
    }

    /// <summary>What the caller had read of <paramref name="listed"/> before this listing; the listed items are read from now on.</summary>
    public static async Task<WasRead> MarkAsync(IDocumentStore store, string tenantId, Guid incidentId, Caller caller,
        IReadOnlyList<(Guid Id, string? AuthorId)> listed, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenantId);
        var id = ReadMarks.IdOf(incidentId, caller.Id);
        var marks = await session.LoadAsync<ReadMarks>(id, ct);
        var before = marks?.ItemIds.ToHashSet() ?? [];
        WasRead wasRead = (item, author) => author == caller.Id || before.Contains(item);
        var unread = listed.Where(i => !wasRead(i.Id, i.AuthorId)).Select(i => i.Id).ToList();
        if (unread.Count > 0)
        {
            session.Store(new ReadMarks(id, [.. before, .. unread]));
            await session.SaveChangesAsync(ct);
        }
        return wasRead;
    }
}
