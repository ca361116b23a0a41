using JasperFx.Events;
using Marten;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Executor.Executing;

/// <summary>
/// Runs a response once, in one commit: the adapter's changes and one event that records the start and the outcome (the
/// incident records InProgress, at the start's time, and then the outcome from its one message). A replay finds the
/// outcome and runs nothing; a run that finds only "started" (the asset was unreachable) finishes it. An unreachable
/// asset is waited for, up to <see cref="ExecutorOptions.AssetWaitLimit"/>: then the start and the wait are committed.
/// The runs of many consumers share one commit (a batch: their executions fetched in one round trip). A concurrent run
/// that commits first makes the batch run again (<see cref="EventWrites.WriteAsync{T}"/>), in a fresh session without
/// this attempt's fleet writes: it finds that outcome and calls no adapter for it.
/// </summary>
public sealed class ExecutionRunner : IAsyncDisposable
{
    // Enough for the executions the consumer runs at once; 2 loops keep a commit in flight while the next batch runs.
    private const int MaxBatch = 64;
    private const int Shards = 2;

    private readonly IDocumentStore _store;
    private readonly IEndpointAdapter _adapter;
    private readonly TimeProvider _clock;
    private readonly IOptions<ExecutorOptions> _options;
    private readonly BatchQueue<Run, IEvent?> _queue;

    public ExecutionRunner(IDocumentStore store, IEndpointAdapter adapter, TimeProvider clock, IOptions<ExecutorOptions> options)
    {
        (_store, _adapter, _clock, _options) = (store, adapter, clock, options);
        _queue = new BatchQueue<Run, IEvent?>(Shards, MaxBatch, run => run.TenantId, CommitAsync);
    }

    private sealed record Run(string TenantId, ResponseExecutionStarted Start)
    {
        /// <summary>The consumer's trace, which the execution's events continue (the writer loop has none of its own).</summary>
        public string? TraceParent { get; } = System.Diagnostics.Activity.Current?.Id;
    }

    /// <summary>Returns the recorded outcome when the response had finished before (a replay), otherwise null.</summary>
    public Task<IEvent?> RunAsync(string tenantId, ResponseExecutionStarted start, CancellationToken ct) =>
        _queue.AddAsync(new Run(tenantId, start), ExecuteResponseDefinition.AssetKey(tenantId, start.AssetId), ct);

    private async Task CommitAsync(IReadOnlyList<BatchQueue<Run, IEvent?>.Pending> runs)
    {
        var outcomes = await _store.WriteAsync<IReadOnlyList<IEvent?>>(runs[0].Item.TenantId, async session =>
        {
            var batch = session.CreateBatchQuery();
            var streams = runs.Select(r => batch.Events.FetchForWriting<Execution>(r.Item.Start.ResponseId)).ToList();
            await batch.Execute();
            var results = new List<IEvent?>(runs.Count);
            // One at a time: the consumer runs one execution per asset at once, but an adapter may still read what another changed.
            foreach (var (run, stream) in runs.Zip(streams))
                results.Add(await RunAsync(session, run.Item, await stream));
            return results;
        }, CancellationToken.None);
        foreach (var (run, outcome) in runs.Zip(outcomes)) run.Done.TrySetResult(outcome);
    }

    private async Task<IEvent?> RunAsync(IDocumentSession session, Run run, IEventStream<Execution> stream)
    {
        var started = Executions.Decide(new StartExecution(run.Start), stream.Aggregate);
        var execution = started.Aggregate(stream.Aggregate, Execution.Evolve)!;
        if (execution.IsFinished) return await RecordedOutcomeAsync(session, run.Start.ResponseId, CancellationToken.None);
        var outcome = await CarryOutAsync(session, execution, run.TenantId, CancellationToken.None);
        Append(session, stream, Executions.Run(started, outcome), run.TraceParent);
        return null;
    }

    /// <summary>Carries out a started (or waiting) execution, if the asset can be reached or the wait is over.</summary>
    public Task ContinueAsync(string tenantId, Guid responseId, CancellationToken ct) =>
        _store.WriteAsync(tenantId, async session =>
        {
            var stream = await session.Events.FetchForWriting<Execution>(responseId, ct);
            if (stream.Aggregate is not { IsFinished: false } execution) return true;
            Append(session, stream, await CarryOutAsync(session, execution, tenantId, ct), null);
            return true;
        }, ct);

    /// <summary>The adapter's run and the events it leads to, decided on <paramref name="execution"/> (the state after this run's start).</summary>
    private async Task<IReadOnlyList<object>> CarryOutAsync(IDocumentSession session, Execution execution, string tenantId, CancellationToken ct)
    {
        var request = new ExecutionRequest(execution.Id, tenantId, execution.IncidentId, execution.AssetId, execution.Parameters);
        var outcome = await _adapter.ExecuteAsync(request, session, ct);
        return Executions.Decide(new RecordOutcome(outcome, _clock.GetUtcNow(), _options.Value.AssetWaitLimit), execution);
    }

    private static void Append(IDocumentSession session, IEventStream<Execution> stream, IReadOnlyList<object> events, string? traceParent) =>
        stream.AppendMany(events.Select(e => session.Traced(e, traceParent)).ToArray());

    private static async Task<IEvent> RecordedOutcomeAsync(IDocumentSession session, Guid responseId, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(responseId, token: ct)).Last(e => e.Data is ResponseExecuted or ResponseFailed);

    public ValueTask DisposeAsync() => _queue.DisposeAsync();
}
