using Marten;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents;

/// <summary>
/// A page of one of the lists an incident holds (its responses, comments or attachments) and the incident it is of.
/// PostgreSQL cuts the page out of the document, so only the page leaves the database, not the incident with all its lists.
/// </summary>
public sealed record IncidentItems<T>(Guid IncidentId, string TenantId, IReadOnlyList<T> Items)
{
    // One row per incident found: its id, its tenant and the page of the list, in the order the incident keeps it.
    // The tenants are reached as IncidentStore.FindAsync reaches them: every tenant (the flag), or those listed.
    private const string Sql = """
        select jsonb_build_object('IncidentId', d.id, 'TenantId', d.tenant_id, 'Items', coalesce(
            (select jsonb_agg(page.item order by page.n)
             from (select e.item, e.n from jsonb_array_elements(d.data -> '{0}') with ordinality as e(item, n)
                   order by e.n offset ? limit ?) page),
            '[]'::jsonb))
        from {1}.mt_doc_incident d
        where d.id = ? and (? or d.tenant_id = any(?))
        """;

    /// <summary>
    /// The page of the incident's <paramref name="member"/> (the name of a list of <see cref="Incident"/>, as serialized), or null when
    /// the incident is not in a tenant the caller may reach: a 404, never a 403.
    /// </summary>
    public static async Task<IncidentItems<T>?> PageAsync(IDocumentStore store, string? incidentId, string member, Caller caller, int? page,
        int? pageSize, CancellationToken ct)
    {
        if (ApiIds.Parse(incidentId) is not { } id) return null;
        var (skip, take) = Paging.Window(page, pageSize);
        await using var query = store.QuerySession();
        var found = await query.QueryAsync<IncidentItems<T>>(string.Format(Sql, member, IncidentStore.Schema), ct,
            skip, take, id, caller.Tenants is null, caller.Tenants?.ToArray() ?? []);
        return found.SingleOrDefault();
    }
}
