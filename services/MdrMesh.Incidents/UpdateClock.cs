using Marten;

namespace MdrMesh.Incidents;

/// <summary>
/// <c>update_time</c> a poller can trust, without a lock. An integration polls <c>incidents/list</c> with
/// <c>min_update_time</c> = the largest <c>update_time</c> it has seen + 1, so a change must never become
/// visible to it with an <c>update_time</c> at or below one it could already have seen.
/// A writer stamps its change inside the committing transaction, in one statement that first gives the
/// transaction its id and then reads the database's clock (whole milliseconds; later than the incident's
/// previous <c>update_time</c>). So a transaction that holds an id and is still open started at or before
/// its stamp, and one that takes an id later stamps later still. A poller first reads the horizon: the
/// start of the oldest such open transaction of this service (or now), then, in a later statement, only
/// changes stamped before it. Whatever commits after that was stamped at or after the horizon: after every
/// <c>update_time</c> the poller was shown. Transactions that write nothing (the daemon's leadership lock)
/// hold no id and no horizon back. The cost is a delay for pollers of at most the longest open writing
/// transaction (milliseconds), where a one-row clock locked until each commit made every incident commit of
/// every instance wait in one line.
/// </summary>
public static class UpdateClock
{
    /// <summary>Begins the session's transaction, gives it its id, then reads the database's clock.</summary>
    public static async Task<DateTimeOffset> StampAsync(IDocumentSession session, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        // The CTE is materialized before the outer select reads the clock: the id first, then the stamp.
        const string sql = "with x as materialized (select pg_current_xact_id() as id)"
                           + " select floor(extract(epoch from clock_timestamp()) * 1000)::bigint from x";
        var ms = (await session.AdvancedSql.QueryAsync<long>(sql, ct)).Single();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    /// <summary>
    /// The horizon, in whole milliseconds, for a statement that runs after this one: every instance of the service
    /// logs in as the same role, and only a transaction holding an id can be stamping.
    /// </summary>
    public static async Task<DateTimeOffset> HorizonAsync(IQuerySession query, CancellationToken ct)
    {
        const string sql = "select floor(extract(epoch from coalesce(min(a.xact_start), clock_timestamp())) * 1000)::bigint"
                           + " from pg_stat_activity a where a.usename = current_user and a.pid <> pg_backend_pid() and a.backend_xid is not null";
        return DateTimeOffset.FromUnixTimeMilliseconds((await query.AdvancedSql.QueryAsync<long>(sql, ct)).Single());
    }

    /// <summary>The stamp of one incident's change: the transaction's stamp, or a millisecond after its previous one if that is later.</summary>
    public static DateTimeOffset For(DateTimeOffset stamp, DateTimeOffset previous) =>
        stamp > previous ? stamp : previous.AddMilliseconds(1);
}
