using System.Text.Json;
using Marten.Linq.MatchesSql;
using Marten.Schema;
using Weasel.Postgresql.Tables;

namespace MdrMesh.Incidents;

/// <summary>
/// The lists inside an incident document that filters look into, each as the few values a filter
/// compares (response statuses and types, attachment ids) rather than whole embedded objects:
/// every change of an incident rewrites every index entry of its row, and a GIN index over the
/// embedded responses held a hundred entries per incident where these hold a handful.
/// A query must use <see cref="Sql"/> verbatim, so PostgreSQL matches it to the index.
/// </summary>
public sealed record IncidentIndex(string Name, string Member, string Path)
{
    // Paths as PostgreSQL prints them back (keys quoted) and the index written as Marten's schema check reads it back
    // (a cast as CAST), so the check at start finds the index as defined rather than rebuilding it every time.
    public static readonly IncidentIndex ResponseStatuses = new("response_statuses", "Responses", "$[*].\"Status\"");
    public static readonly IncidentIndex ResponseTypes = new("response_types", "Responses", "$[*].\"Parameters\".\"type\"");
    public static readonly IncidentIndex AttachmentIds = new("attachment_ids", "Attachments", "$[*].\"AttachmentId\"");

    private static readonly IncidentIndex[] All = [ResponseStatuses, ResponseTypes, AttachmentIds];

    /// <summary>The JSON array of the values, over the incident row <c>d</c>.</summary>
    public string Sql => $"jsonb_path_query_array(d.data -> '{Member}', '{Path}')";

    /// <summary>
    /// Incidents whose JSON array <paramref name="jsonArray"/> (SQL over the row <c>d</c>, e.g. <see cref="Sql"/>) holds any
    /// of <paramref name="values"/>, each a containment test a GIN index answers; all incidents if no value is given.
    /// </summary>
    public static IQueryable<Incident> AnyContains(IQueryable<Incident> incidents, string jsonArray, IReadOnlyCollection<string>? values)
    {
        if (values is not { Count: > 0 }) return incidents;
        var sql = "(" + string.Join(" or ", values.Select(_ => $"{jsonArray} @> ?::jsonb")) + ")";
        var parameters = values.Select(v => (object)JsonSerializer.Serialize(new[] { v })).ToArray();
        return incidents.Where(i => i.MatchesSql(sql, parameters));
    }

    public static void AddTo(DocumentMapping incidents)
    {
        foreach (var index in All)
            incidents.Indexes.Add(new DocumentIndex(incidents, "data")
            {
                Name = $"{incidents.TableName.Name}_idx_{index.Name}",
                Method = IndexMethod.gin,
                Mask = $"jsonb_path_query_array((? -> '{index.Member}'), CAST('{index.Path}' as jsonpath)) jsonb_path_ops",
            });
    }
}
