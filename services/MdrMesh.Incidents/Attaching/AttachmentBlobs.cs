using Marten;
using Weasel.Postgresql.Tables;

namespace MdrMesh.Incidents.Attaching;

/// <summary>The files' bytes, in a table of their own beside the incident documents (bytea, not JSON).</summary>
public static class AttachmentBlobs
{
    public const string Table = "attachment_blobs";

    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Table}");
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<string>("tenant_id").NotNull();
        table.AddColumn("data", "bytea").NotNull();
        return table;
    }

    public static Task WriteAsync(IDocumentStore store, string tenantId, Guid id, byte[] data, CancellationToken ct) =>
        // A second write of the same id (a redelivered completion) keeps the first.
        ExecuteAsync(store, $"insert into {IncidentStore.Schema}.{Table} (id, tenant_id, data) values ($1, $2, $3) on conflict (id) do nothing",
            ct, id, tenantId, data);

    public static Task DeleteAsync(IDocumentStore store, string tenantId, Guid id, CancellationToken ct) =>
        ExecuteAsync(store, $"delete from {IncidentStore.Schema}.{Table} where id = $1 and tenant_id = $2", ct, id, tenantId);

    public static async Task<byte[]?> ReadAsync(IDocumentStore store, string tenantId, Guid id, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand($"select data from {IncidentStore.Schema}.{Table} where id = $1 and tenant_id = $2", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenantId });
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    private static async Task ExecuteAsync(IDocumentStore store, string sql, CancellationToken ct, params object[] values)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}
