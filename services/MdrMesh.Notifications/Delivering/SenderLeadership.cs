using Npgsql;

namespace MdrMesh.Notifications.Delivering;

/// <summary>
/// One sender among all instances: the one holding a PostgreSQL session advisory lock, on a connection of its own
/// (unpooled, so the lock ends with the connection: a killed instance's lock goes with its TCP connection, and another
/// instance takes over at its next poll).
/// </summary>
public sealed class SenderLeadership(IConfiguration configuration) : IAsyncDisposable
{
    // Any fixed number the other services do not lock: "MdrN" (notifications' sender).
    private const long LockKey = 0x4D64724E_0001;
    private NpgsqlConnection? _connection;

    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        if (_connection is not null)
        {
            try
            {
                await using var ping = new NpgsqlCommand("select 1", _connection);
                await ping.ExecuteScalarAsync(ct);
                return true;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                await DisposeAsync();
            }
        }
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("Postgres")) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var take = new NpgsqlCommand("select pg_try_advisory_lock(@key)", connection);
        take.Parameters.AddWithValue("key", LockKey);
        if (await take.ExecuteScalarAsync(ct) is true)
        {
            _connection = connection;
            return true;
        }
        await connection.DisposeAsync();
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        _connection = null;
    }
}
