using Npgsql;

namespace MdrMesh.Bench;

/// <summary>One statement's share of a scenario, from pg_stat_statements.</summary>
public sealed record StatementCost(long Calls, double TotalMs, double MeanMs, string Query);

/// <summary>Rows inserted, updated and deleted in one table (schema.table) per response.</summary>
public sealed record TableRows(string Table, double RowsWrittenPerResponse);

/// <summary>
/// What PostgreSQL did for a scenario's terminal responses (--profile), the statements that took the most time, and the
/// tables the rows were written to (most first).
/// </summary>
public sealed record DatabaseProfile(double TransactionsPerResponse, double StatementsPerResponse, double RowsInsertedPerResponse,
    double RowsUpdatedPerResponse, double RowsWrittenPerResponse, List<StatementCost> Top, List<TableRows> Tables);

/// <summary>
/// The cost of a response in the database (deploy/bench.sh --profile): pg_stat_database's transactions and rows of the
/// mdrmesh database and pg_stat_statements' calls, before and after a scenario's load has settled (the bench's own light
/// polling included), divided by its terminal responses. Needs pg_stat_statements preloaded, as the compose file does.
/// </summary>
public static class Profile
{
    public sealed record Snapshot(long Transactions, long Inserted, long Updated, long Deleted, long Statements, Dictionary<string, long> Tables);

    /// <summary>Resets pg_stat_statements and reads the counters: the start of a scenario (null without --profile).</summary>
    public static async Task<Snapshot?> StartAsync(Options options)
    {
        if (!options.Profile) return null;
        await using var connection = await OpenAsync(options);
        await using (var reset = new NpgsqlCommand("select pg_stat_statements_reset()", connection)) await reset.ExecuteNonQueryAsync();
        return await ReadAsync(connection);
    }

    public static async Task<DatabaseProfile> EndAsync(Options options, Snapshot before, int responses)
    {
        await using var connection = await OpenAsync(options);
        // The statistics reach shared memory at each backend's next report (at most a second after its last transaction).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var after = await ReadAsync(connection);
        var top = new List<StatementCost>();
        await using (var command = new NpgsqlCommand(
            "select calls, total_exec_time, mean_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) from pg_stat_statements" +
            " where dbid = (select oid from pg_database where datname = current_database()) order by total_exec_time desc limit 10", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                top.Add(new StatementCost(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetString(3)));
        double Per(long value, int digits = 1) => responses > 0 ? Math.Round((double)value / responses, digits) : 0;
        var tables = after.Tables.Select(t => new TableRows(t.Key, Per(t.Value - before.Tables.GetValueOrDefault(t.Key), 2)))
            .Where(t => t.RowsWrittenPerResponse >= 0.01).OrderByDescending(t => t.RowsWrittenPerResponse).ToList();
        return new DatabaseProfile(Per(after.Transactions - before.Transactions), Per(after.Statements - before.Statements),
            Per(after.Inserted - before.Inserted), Per(after.Updated - before.Updated),
            Per(after.Inserted - before.Inserted + after.Updated - before.Updated + after.Deleted - before.Deleted), top, tables);
    }

    private static async Task<NpgsqlConnection> OpenAsync(Options options)
    {
        var connection = new NpgsqlConnection(options.PostgresConnection);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<Snapshot> ReadAsync(NpgsqlConnection connection)
    {
        // Not counted: Marten's mt_immutable_timestamptz body, which autovacuum's ANALYZE runs once per row of a table with a
        // timestamp expression index (it shows as a top-level statement, as many calls as the table has rows): no service sent it.
        await using var command = new NpgsqlCommand(
            "select xact_commit + xact_rollback, tup_inserted, tup_updated, tup_deleted," +
            " (select coalesce(sum(calls), 0)::bigint from pg_stat_statements where dbid = d.datid and query <> 'select value::timestamptz')" +
            " from pg_stat_database d where datname = current_database()", connection);
        long transactions, inserted, updated, deleted, statements;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (transactions, inserted, updated, deleted, statements) =
                (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }
        // Where the rows went, table by table (the services' schemas; the bench's own scratch tables are dropped after use).
        var tables = new Dictionary<string, long>();
        await using (var perTable = new NpgsqlCommand(
            "select schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del from pg_stat_user_tables", connection))
        await using (var reader = await perTable.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                tables[reader.GetString(0)] = reader.GetInt64(1);
        return new Snapshot(transactions, inserted, updated, deleted, statements, tables);
    }
}
