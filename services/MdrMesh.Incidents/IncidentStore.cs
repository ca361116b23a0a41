using JasperFx;
using Marten;
using Marten.Linq.MatchesSql;
using MdrMesh.Incidents.GettingHistory;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents;

/// <summary>
/// Every event on an incident carries when it happened and who did it: <see cref="By"/> is the
/// name history shows, <see cref="ById"/> the API connection's immutable id (null for the system's
/// own actors: the executor, the auto-accept setting, the deadline). Checks compare ids, never names.
/// </summary>
public interface IIncidentEvent
{
    DateTimeOffset At { get; }
    string By { get; }
    string? ById { get; }
}

/// <summary>
/// Loads, decides, appends and commits: the one path by which incidents change. The history
/// records of the new events are stored in the same commit, so history never lags its incident.
/// </summary>
public sealed class IncidentStore(IDocumentStore store)
{
    public const string Schema = "incidents";
    // Many writers on one incident (HTTP calls and the consumer) can collide; each retry re-reads
    // and decides again, after a short random pause so colliding writers spread out.
    private const int Attempts = 25;

    /// <summary>The incident, if it exists in a tenant the caller may reach; otherwise null (a 404, never a 403).</summary>
    public async Task<Incident?> FindAsync(Guid incidentId, Caller caller, CancellationToken ct = default)
    {
        await using var query = store.QuerySession();
        var incident = await TenantScoped(query.Query<Incident>(), caller).FirstOrDefaultAsync(x => x.Id == incidentId, ct);
        return incident is not null && caller.CanReach(incident.TenantId) ? incident : null;
    }

    public async Task<IReadOnlyList<Incident>> ListAsync(Caller caller, CancellationToken ct = default)
    {
        await using var query = store.QuerySession();
        return await TenantScoped(query.Query<Incident>(), caller).ToListAsync(ct);
    }

    private static IQueryable<Incident> TenantScoped(IQueryable<Incident> query, Caller caller) =>
        caller.Tenants is null
            ? query.Where(x => x.AnyTenant())
            : query.Where(x => x.TenantIsOneOf(caller.Tenants.ToArray()));

    public async Task<long> NextNumberAsync(CancellationToken ct = default)
    {
        await using var query = store.QuerySession();
        return (await query.QueryAsync<long>($"select nextval('{Schema}.incident_numbers')", ct)).Single();
    }

    public async Task<Incident> OpenAsync(OpeningIncident.IncidentOpened opened, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession(opened.TenantId);
        session.Events.StartStream<Incident>(opened.IncidentId, opened);
        var incident = IncidentHistory.Record(session, null, [opened], fromVersion: 0);
        await session.SaveChangesAsync(ct);
        return incident;
    }

    /// <summary>
    /// Applies <paramref name="decide"/> to the current incident and commits what it returns.
    /// Optimistic concurrency: if another writer got there first, decide again on the new state.
    /// </summary>
    public async Task<Incident> ChangeAsync(string tenantId, Guid incidentId, Func<Incident, IReadOnlyList<IIncidentEvent>> decide,
        CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession(tenantId);
            var stream = await session.Events.FetchForWriting<Incident>(incidentId, ct);
            var current = stream.Aggregate ?? throw new KeyNotFoundException($"incident {incidentId}");
            var events = decide(current);
            if (events.Count == 0) return current;
            stream.AppendMany(events.Cast<object>().ToArray());
            var after = IncidentHistory.Record(session, current, events, stream.CurrentVersion ?? 0);
            try
            {
                await session.SaveChangesAsync(ct);
                return after;
            }
            catch (ConcurrencyException) when (attempt < Attempts)
            {
                await Task.Delay(Random.Shared.Next(5, 20 * Math.Min(attempt, 5)), ct);
            }
        }
    }
}
