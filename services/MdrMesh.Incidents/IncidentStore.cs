using System.Text.Json;
using Marten;
using Marten.Linq.MatchesSql;
using Weasel.Postgresql.Tables;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents;

/// <summary>
/// Loads, decides, appends and commits: the one path by which incidents change. History is the
/// events themselves (described when read), so it never lags its incident.
/// Changes queue up and are committed in batches: every change of one incident goes to the same
/// writer loop (a shard by incident id), which decides each on the state the previous one left and
/// commits the whole batch at once. Writers of one instance thus never collide on a stream, and
/// commits stop being the ceiling (one per tenant per batch instead of one per change).
/// </summary>
public sealed class IncidentStore : IAsyncDisposable
{
    public const string Schema = "incidents";
    // Measured: beyond ~200 changes a batch only grows its latency; 4 shards keep a commit in flight while the next batch is decided.
    private const int MaxBatch = 200;
    private const int Shards = 4;

    private readonly IDocumentStore store;
    private readonly BatchQueue<Change, Incident> _queue;

    public IncidentStore(IDocumentStore store)
    {
        this.store = store;
        _queue = new BatchQueue<Change, Incident>(Shards, MaxBatch, change => change.TenantId, CommitAsync);
    }

    private sealed record Change(string TenantId, Guid IncidentId, Func<Incident, IReadOnlyList<IIncidentEvent>> Decide, Idempotent? Key,
        Action<IDocumentSession, Incident>? Store)
    {
        /// <summary>The caller's trace, which the change's events continue (the writer loop has none of its own).</summary>
        public string? TraceParent { get; } = System.Diagnostics.Activity.Current?.Id;
    }

    /// <summary>The incident, if it exists in a tenant the caller may reach; otherwise null (a 404, never a 403).</summary>
    public async Task<Incident?> FindAsync(Guid incidentId, Caller caller, CancellationToken ct = default)
    {
        await using var query = store.QuerySession();
        // SQL on the id's own index, not LINQ: Marten parses a LINQ query again on every call, and most API calls start here.
        var found = await query.QueryAsync<Incident>("where id = ?", ct, incidentId);
        return found.FirstOrDefault(incident => caller.CanReach(incident.TenantId));
    }

    /// <summary>The incident named by an id as the API received it (an opaque string: one that is not a GUID names nothing).</summary>
    public Task<Incident?> FindAsync(string? incidentId, Caller caller, CancellationToken ct = default) =>
        ApiIds.Parse(incidentId) is { } id ? FindAsync(id, caller, ct) : Task.FromResult<Incident?>(null);

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

    /// <summary>
    /// Starts the incident's stream with what <paramref name="decide"/> returns and stores the incident it opens. The id is
    /// new, so there is no state to fetch: the decider is given none. With <paramref name="key"/>, a stored answer to it ends
    /// the write with <see cref="AlreadyAnswered"/>; <paramref name="alsoStore"/> stores documents in the same commit, given the
    /// incident as the caller receives it (e.g. the key's answer).
    /// </summary>
    public Task<Incident> OpenAsync(string tenantId, Guid incidentId, Func<Incident?, IReadOnlyList<IIncidentEvent>> decide,
        CancellationToken ct = default, Idempotent? key = null, Action<IDocumentSession, Incident>? alsoStore = null) =>
        store.WriteAsync(tenantId, async session =>
        {
            if (key is not null) await key.ThrowIfAnsweredAsync(session, ct);
            var events = decide(null);
            session.Events.StartStream<Incident>(incidentId, events);
            var incident = events.Aggregate((Incident?)null, Incident.Evolve)!;
            incident = incident with { UpdatedAt = await UpdateClock.StampAsync(session, ct), Version = events.Count };
            session.Store(incident);
            alsoStore?.Invoke(session, incident);
            return incident;
        }, ct);

    /// <summary>
    /// Applies <paramref name="decide"/> to the current incident and commits what it returns.
    /// Optimistic concurrency: if another writer got there first, decide again on the new state. <paramref name="key"/> and
    /// <paramref name="alsoStore"/> as in <see cref="OpenAsync"/>: the key is looked up before deciding, in the batch's transaction.
    /// </summary>
    public Task<Incident> ChangeAsync(string tenantId, Guid incidentId, Func<Incident, IReadOnlyList<IIncidentEvent>> decide,
        CancellationToken ct = default, Idempotent? key = null, Action<IDocumentSession, Incident>? alsoStore = null)
        => _queue.AddAsync(new Change(tenantId, incidentId, decide, key, alsoStore), incidentId, ct);

    /// <summary>
    /// Decides the changes of one tenant in order and commits them together; each caller learns its own outcome.
    /// The incident documents are written here, from the states the decisions evolved, with the batch's
    /// <see cref="UpdateClock"/> stamp as <c>update_time</c> of every incident it changed. Writers of other instances can
    /// still collide with a batch: <see cref="EventWrites.WriteAsync{T}"/> then decides it again on the new state.
    /// </summary>
    private async Task CommitAsync(IReadOnlyList<BatchQueue<Change, Incident>.Pending> changes)
    {
        var batch = await store.WriteAsync(changes[0].Item.TenantId, session => DecideAsync(session, changes.Select(c => c.Item).ToList()),
            CancellationToken.None);

        var written = batch.Incidents.Values.Where(w => w.Events.Count > 0).ToList();
        foreach (var writing in written) IncidentMetrics.Committed(writing.State, writing.Events);
        // One outcome per change, in the changes' order.
        foreach (var (change, (_, state, error)) in changes.Zip(batch.Outcomes))
            if (error is Deferred)
                // Its key's first use is committed now: the next batch finds the answer.
                try { _queue.Requeue(change, change.Item.IncidentId); }
                catch (ObjectDisposedException stopping) { change.Done.TrySetException(stopping); }
            else if (error is not null) change.Done.TrySetException(error);
            else change.Done.TrySetResult(state!);
    }

    // A change whose idempotency key an earlier change of the same batch took: it waits for that commit.
    private sealed class Deferred() : Exception("Deferred to the next batch.");

    /// <summary>
    /// One attempt at a batch, in the transaction <see cref="EventWrites.WriteAsync{T}"/> began: fetch the incidents, decide each
    /// change on the state the previous one left, append the events and store the documents. The transaction holds no id
    /// until the stamp gives it one, so the reads do not hold back the pollers' horizon.
    /// </summary>
    private static async Task<Batch> DecideAsync(IDocumentSession session, IReadOnlyList<Change> changes)
    {
        var outcomes = new List<(Change Change, Incident? State, Exception? Error)>(changes.Count);
        // The keys' answers in one statement, only when a change has a key (the hot path has none).
        var keys = changes.Where(c => c.Key is not null).Select(c => c.Key!.RecordId).Distinct().ToList();
        var answered = keys.Count == 0 ? new Dictionary<string, IdempotencyRecord>()
            : (await session.LoadManyAsync<IdempotencyRecord>(keys)).ToDictionary(r => r.Id);
        var claimed = new HashSet<string>();
        // The batch's incidents in one statement; each document knows its stream's version.
        var incidents = new Dictionary<Guid, Writing>();
        foreach (var loaded in await session.LoadManyAsync<Incident>(changes.Select(c => c.IncidentId).Distinct()))
        {
            var version = loaded.Version > 0 ? loaded.Version : (await session.Events.FetchStreamStateAsync(loaded.Id))?.Version ?? 0;
            if (version > 0) incidents[loaded.Id] = new Writing(loaded, version);
        }
        foreach (var change in changes)
        {
            if (!incidents.TryGetValue(change.IncidentId, out var writing))
            {
                outcomes.Add((change, null, new KeyNotFoundException($"incident {change.IncidentId}")));
                continue;
            }
            if (change.Key is { } key)
            {
                if (answered.TryGetValue(key.RecordId, out var record))
                {
                    outcomes.Add((change, null, new AlreadyAnswered(record)));
                    continue;
                }
                if (claimed.Contains(key.RecordId))
                {
                    outcomes.Add((change, null, new Deferred()));
                    continue;
                }
            }
            IReadOnlyList<IIncidentEvent> events;
            try
            {
                events = change.Decide(writing.State);
            }
            catch (Exception refused)
            {
                // A refusal (a conflict with the state) is this caller's answer; the batch goes on.
                outcomes.Add((change, null, refused));
                continue;
            }
            if (events.Count > 0)
            {
                writing.State = events.Aggregate(writing.State, Incident.Evolve);
                writing.Events.AddRange(events);
                writing.Traces.AddRange(events.Select(_ => change.TraceParent));
            }
            if (change.Key is not null) claimed.Add(change.Key.RecordId);
            outcomes.Add((change, writing.State, null));
        }

        var written = incidents.Where(i => i.Value.Events.Count > 0).ToList();
        // Reads of passwords are history, not changes: only a change moves update_time.
        DateTimeOffset? stamp = written.Any(i => i.Value.Events.Any(Incident.Changes))
            ? await UpdateClock.StampAsync(session, CancellationToken.None)
            : null;
        foreach (var (id, writing) in written)
        {
            session.Events.Append(id, writing.Version + writing.Events.Count,
                writing.Events.Select((e, i) => session.Traced(e, writing.Traces[i])).ToArray());
            if (stamp is { } at && writing.Events.Any(Incident.Changes))
                writing.State = writing.State with { UpdatedAt = UpdateClock.For(at, writing.Loaded.UpdatedAt) };
            writing.State = writing.State with { Version = writing.Version + writing.Events.Count };
            session.Store(writing.State);
        }
        // Each caller sees the incident as committed: with the update_time it got. What a change stores beside is given the same.
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i] is not (var change, { } state, null)) continue;
            var committed = incidents[state.Id];
            if (stamp is not null && committed.Events.Any(Incident.Changes)) state = state with { UpdatedAt = committed.State.UpdatedAt };
            change.Store?.Invoke(session, state);
            outcomes[i] = (change, state, null);
        }
        return new Batch(outcomes, incidents);
    }

    // What one attempt at a batch decided: each change's outcome, and the incidents as they are written.
    private sealed record Batch(IReadOnlyList<(Change Change, Incident? State, Exception? Error)> Outcomes,
        IReadOnlyDictionary<Guid, Writing> Incidents);

    // One incident within a batch: the state its decisions evolved, from the version it was loaded at.
    private sealed class Writing(Incident loaded, long version)
    {
        public Incident Loaded { get; } = loaded;
        public Incident State { get; set; } = loaded;
        public long Version { get; } = version;
        public List<IIncidentEvent> Events { get; } = [];
        public List<string?> Traces { get; } = [];
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();
}
