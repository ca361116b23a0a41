using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MdrMesh.Incidents;

/// <summary>
/// Keeps incident documents in their row. An incident with its responses is ~6 kB of JSON, ~3 kB compressed: above
/// PostgreSQL's default 2 kB target, so each of the 3 writes per response moved it to the TOAST table (measured: 2.7 rows
/// inserted and 2.6 deleted there per response, a sixth of all rows written). With a 4 kB target it is compressed in place;
/// only a larger incident still goes out of line. Set once after Marten's schema is in place (a table option Marten does
/// not manage); later starts find it set and take no lock. A role that may not alter the table (it does not own it) only
/// costs the rows, so the service starts anyway and says so.
/// </summary>
public sealed class IncidentTable(IDocumentStore store, ILogger<IncidentTable> logger) : IHostedService
{
    public const int ToastTupleTarget = 4080;

    public async Task StartAsync(CancellationToken ct)
    {
        var sql = $"""
            do $$ begin
              if not exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                             where n.nspname = '{IncidentStore.Schema}' and c.relname = 'mt_doc_incident'
                               and c.reloptions @> array['toast_tuple_target={ToastTupleTarget}']) then
                alter table {IncidentStore.Schema}.mt_doc_incident set (toast_tuple_target = {ToastTupleTarget});
              end if;
            end $$;
            """;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.InsufficientPrivilege)
        {
            logger.LogWarning("Incident documents stay at PostgreSQL's default TOAST target: this role may not alter {Table} ({Reason}).",
                $"{IncidentStore.Schema}.mt_doc_incident", e.MessageText);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
