using JasperFx;
using Marten;
using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AssetGrouping;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.Deciding;

/// <summary>
/// Decides proposals in batches: each consumer hands its proposal over and waits for its own decision, while a writer loop
/// takes what queued up meanwhile, reads what the batch needs in one round trip (the tenant's switch, rules, asset groups and
/// blast-radius guard once; the decisions, closed incidents and asset profiles of all its proposals at once), decides each in
/// order (the guard counts them one after the other) and commits them together. Measured before: thirteen statements and a
/// commit per proposal, most of them the same tenant-wide reads again.
/// </summary>
public sealed class ProposalWriter : IAsyncDisposable
{
    // Enough to take what 64 concurrent consumers hand over; 2 loops keep a commit in flight while the next batch is decided.
    private const int MaxBatch = 64;
    private const int Shards = 2;

    private readonly IDocumentStore _store;
    private readonly TimeProvider _clock;
    private readonly IOptions<ApprovalsOptions> _options;
    private readonly BatchQueue<Proposal, Decided<Decision>> _queue;

    public ProposalWriter(IDocumentStore store, TimeProvider clock, IOptions<ApprovalsOptions> options)
    {
        (_store, _clock, _options) = (store, clock, options);
        _queue = new BatchQueue<Proposal, Decided<Decision>>(Shards, MaxBatch, p => p.Message.TenantId, CommitAsync);
    }

    private sealed record Proposal(Messages.ResponseProposed Message)
    {
        /// <summary>The consumer's trace, which the decision's events continue (the writer loop has none of its own).</summary>
        public string? TraceParent { get; } = System.Diagnostics.Activity.Current?.Id;
    }

    /// <summary>Decides <paramref name="proposal"/> (nothing if it was decided before: <see cref="Decided{T}.Before"/> says how) once it is committed.</summary>
    public Task<Decided<Decision>> DecideAsync(Messages.ResponseProposed proposal, CancellationToken ct) =>
        // Keyed as the consumer partitions them: one incident's proposals to one loop, in order.
        _queue.AddAsync(new Proposal(proposal), proposal.IncidentId, ct);

    private async Task CommitAsync(IReadOnlyList<BatchQueue<Proposal, Decided<Decision>>.Pending> proposals)
    {
        var tenantId = proposals[0].Item.Message.TenantId;
        var decided = await _store.WriteAsync(tenantId, session => DecideAsync(session, tenantId, proposals.Select(p => p.Item).ToList()),
            CancellationToken.None);
        foreach (var (proposal, decision) in proposals.Zip(decided)) proposal.Done.TrySetResult(decision);
    }

    /// <summary>
    /// One attempt at a batch of one tenant's proposals, in the transaction the write began. What the decisions need, in one
    /// round trip: the installation default (in the store's root) and the tenant's own switch, rules and asset groups (no other
    /// tenant's choice counts), the proposals' assets' profiles, which of their incidents closed, which were decided before,
    /// and the tenant's guard for writing: an automatic drastic acceptance is counted on it in this commit, so instances
    /// deciding at once collide on its version and the loser decides its batch again on the new count.
    /// </summary>
    private async Task<IReadOnlyList<Decided<Decision>>> DecideAsync(IDocumentSession session, string tenantId, IReadOnlyList<Proposal> proposals)
    {
        var batch = session.CreateBatchQuery();
        var known = batch.LoadMany<Decision>().ById(proposals.Select(p => p.Message.ResponseId).Distinct().ToArray());
        // SQL, not LINQ: Marten parses a LINQ query again on every call (measured: a quarter of the service's CPU).
        var switches = batch.Query<AutoAcceptSwitch>("where tenant_id = any(?) and id = any(?)",
            new[] { StorageConstants.DefaultTenantId, tenantId },
            new[] { AutoAcceptSwitch.StreamIdOf(AutoAcceptSwitch.Installation), AutoAcceptSwitch.StreamIdOf(tenantId) });
        var closed = batch.LoadMany<ClosedIncident>().ById(proposals.Select(p => p.Message.IncidentId).Distinct().ToArray());
        var rules = batch.Load<AutoAcceptRules>(AutoAcceptRules.StreamIdOf(tenantId));
        var groups = batch.Load<AssetGroups>(AssetGroups.StreamIdOf(tenantId));
        var assets = batch.LoadMany<AssetProfile>().ById(proposals.Select(p => p.Message.AssetId).Distinct().ToArray());
        var guardStream = batch.Events.FetchForWriting<BlastRadiusGuard>(BlastRadiusGuard.StreamIdOf(tenantId));
        await batch.Execute();

        var decisions = (await known).ToDictionary(d => d.Id);
        var closedIncidents = (await closed).Select(c => c.Id).ToHashSet();
        var profiles = (await assets).ToDictionary(a => a.Id);
        var (setting, tenantRules, tenantGroups) = (AutoAcceptSetting.Of(await switches), await rules, await groups);
        var guard = await guardStream;
        var guardState = guard.Aggregate;
        var now = _clock.GetUtcNow();
        var deadline = _options.Value.DeadlineFor(tenantId);

        var results = new List<Decided<Decision>>(proposals.Count);
        foreach (var proposal in proposals)
        {
            var m = proposal.Message;
            var before = decisions.GetValueOrDefault(m.ResponseId);
            var command = new Propose(m, setting, tenantRules, closedIncidents.Contains(m.IncidentId), deadline, now,
                tenantGroups?.MembershipOf(profiles.GetValueOrDefault(m.AssetId)), guardState);
            var events = Decisions.Decide(command, before);
            var after = events.Aggregate(before, Decision.Evolve);
            if (events.Count > 0)
            {
                // A proposal decides only on a response never seen (a repeat decides nothing), so its events open the stream.
                session.Events.StartStream<Decision>(m.ResponseId, Decision.Stored(events).Select(e => session.Traced(e, proposal.TraceParent)).ToArray());
                decisions[m.ResponseId] = after!;
            }
            var counted = BlastRadiusGuard.Decide(new FollowDecision(tenantId, m.Parameters.Type, events), guardState);
            if (counted.Count > 0)
            {
                guard.AppendMany(counted.Select(e => session.Traced(e, proposal.TraceParent)).ToArray());
                guardState = counted.Aggregate(guardState, BlastRadiusGuard.Evolve);
            }
            results.Add(new Decided<Decision>(before, events, after));
        }
        return results;
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();
}
