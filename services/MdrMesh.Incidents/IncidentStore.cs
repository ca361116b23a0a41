using System.Text.Json;
using System.Threading.Channels;
using JasperFx;
using JasperFx.Events;
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
/// Changes queue up and are committed in batches: every change of one incident goes to the same
/// writer loop (a shard by incident id), which decides each on the state the previous one left and
/// commits the whole batch at once. Writers of one instance thus never collide on a stream, and
/// commits stop being the ceiling (one per tenant per batch instead of one per change).
/// </summary>
public sealed class IncidentStore(IDocumentStore store) : IAsyncDisposable
{
    public const string Schema = "incidents";
    // Writers of other instances can still collide with a batch; it is then decided again on the
    // new state, after a short random pause so colliding writers spread out.
    private const int Attempts = 25;
    // Measured: beyond ~200 changes a batch only grows its latency; 4 shards keep a commit in flight while the next batch is decided.
    private const int MaxBatch = 200;
    private const int Shards = 4;

    private readonly Channel<Change>[] _queues = Enumerable.Range(0, Shards)
        .Select(_ => Channel.CreateUnbounded<Change>(new UnboundedChannelOptions { SingleReader = true })).ToArray();
    private Task[]? _writers;

    private sealed record Change(string TenantId, Guid IncidentId, Func<Incident, IReadOnlyList<IIncidentEvent>> Decide)
    {
        public TaskCompletionSource<Incident> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
    /// <summary>The incident, if it exists in a tenant the caller may reach; otherwise null (a 404, never a 403).</summary>
    public async Task<Incident?> FindAsync(Guid incidentId, Caller caller, CancellationToken ct = default)
    {
        await using var query = store.QuerySession();
        var incident = await TenantScoped(query.Query<Incident>(), caller).FirstOrDefaultAsync(x => x.Id == incidentId, ct);
        return incident is not null && caller.CanReach(incident.TenantId) ? incident : null;
    }

    /// <summary>The incident holding the comment, if the caller may reach it.</summary>
    public async Task<Incident?> FindByCommentAsync(Guid commentId, Caller caller, CancellationToken ct = default)
    {
        await using var query = store.QuerySession();
        var contained = JsonSerializer.Serialize(new[] { new { CommentId = commentId } });
        return await Reachable(query, caller).Where(i => i.MatchesSql("d.data -> 'Comments' @> ?::jsonb", contained)).FirstOrDefaultAsync(ct);
    }

    /// <summary>The incidents of the tenants the caller may reach, for a query to narrow further.</summary>
    public static IQueryable<Incident> Reachable(IQuerySession query, Caller caller) => TenantScoped(query.Query<Incident>(), caller);

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
    public Task<Incident> ChangeAsync(string tenantId, Guid incidentId, Func<Incident, IReadOnlyList<IIncidentEvent>> decide,
        CancellationToken ct = default)
    {
        StartWriters();
        var change = new Change(tenantId, incidentId, decide);
        var shard = (int)((uint)incidentId.GetHashCode() % Shards);
        if (!_queues[shard].Writer.TryWrite(change)) throw new ObjectDisposedException(nameof(IncidentStore), "The service is stopping.");
        // A caller that gives up does not take the change back: it may still be committed, as a request cut off mid-commit may.
        return change.Done.Task.WaitAsync(ct);
    }

    private void StartWriters()
    {
        if (_writers is not null) return;
        lock (_queues) _writers ??= _queues.Select(q => Task.Run(() => WriteAsync(q.Reader))).ToArray();
    }

    private async Task WriteAsync(ChannelReader<Change> queue)
    {
        var batch = new List<Change>(MaxBatch);
        while (await queue.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.TryRead(out var change)) batch.Add(change);
            foreach (var tenant in batch.GroupBy(c => c.TenantId))
                await CommitAsync(tenant.Key, tenant.ToList());
        }
    }

    /// <summary>Decides the changes of one tenant in order and commits them together; each caller learns its own outcome.</summary>
    private async Task CommitAsync(string tenantId, IReadOnlyList<Change> changes)
    {
        for (var attempt = 1; ; attempt++)
        {
            var outcomes = new List<(Change Change, Incident? State, Exception? Error)>(changes.Count);
            try
            {
                await using var session = store.LightweightSession(tenantId);
                var streams = new Dictionary<Guid, (IEventStream<Incident> Stream, Incident State, long Version)>();
                foreach (var change in changes)
                {
                    if (!streams.TryGetValue(change.IncidentId, out var current))
                    {
                        var stream = await session.Events.FetchForWriting<Incident>(change.IncidentId);
                        if (stream.Aggregate is null)
                        {
                            outcomes.Add((change, null, new KeyNotFoundException($"incident {change.IncidentId}")));
                            continue;
                        }
                        current = (stream, stream.Aggregate, stream.CurrentVersion ?? 0);
                    }
                    IReadOnlyList<IIncidentEvent> events;
                    try
                    {
                        events = change.Decide(current.State);
                    }
                    catch (Exception refused)
                    {
                        // A refusal (a conflict with the state) is this caller's answer; the batch goes on.
                        outcomes.Add((change, null, refused));
                        continue;
                    }
                    if (events.Count > 0)
                    {
                        current.Stream.AppendMany(events.Cast<object>().ToArray());
                        current = (current.Stream, IncidentHistory.Record(session, current.State, events, current.Version), current.Version + events.Count);
                    }
                    streams[change.IncidentId] = current;
                    outcomes.Add((change, current.State, null));
                }
                await session.SaveChangesAsync();
            }
            catch (ConcurrencyException) when (attempt < Attempts)
            {
                await Task.Delay(Random.Shared.Next(5, 20 * Math.Min(attempt, 5)));
                continue;
            }
            catch (Exception) when (changes.Count > 1)
            {
                // One bad change must not fail its neighbours: commit each alone, so only it fails.
                foreach (var change in changes) await CommitAsync(tenantId, [change]);
                return;
            }
            catch (Exception failed)
            {
                changes[0].Done.TrySetException(failed);
                return;
            }
            foreach (var (change, state, error) in outcomes)
                if (error is null) change.Done.TrySetResult(state!);
                else change.Done.TrySetException(error);
            return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues) queue.Writer.TryComplete();
        if (_writers is not null) await Task.WhenAll(_writers);
    }
}
