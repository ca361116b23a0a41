using JasperFx.Events;
using Marten;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Executor.Executing;

/// <summary>
/// Runs a response once, in one commit: started, the adapter's changes and the outcome together (the relay then
/// announces the start before the outcome, so the incident still shows InProgress before it ends). A replay finds the
/// outcome and runs nothing; a run that finds only "started" (the asset was unreachable) finishes it. An unreachable
/// asset is waited for, up to <see cref="ExecutorOptions.AssetWaitLimit"/>: then the start and the wait are committed.
/// A concurrent run that commits first makes this one run again (<see cref="EventWrites.WriteAsync{T}"/>), in a fresh
/// session without this attempt's fleet writes: it finds the outcome and calls no adapter.
/// </summary>
public sealed class ExecutionRunner(IDocumentStore store, IEndpointAdapter adapter, TimeProvider clock, IOptions<ExecutorOptions> options)
{
    /// <summary>Returns the recorded outcome when the response had finished before (a replay), otherwise null.</summary>
    public Task<IEvent?> RunAsync(string tenantId, ResponseExecutionStarted start, CancellationToken ct) =>
        store.WriteAsync<IEvent?>(tenantId, async session =>
        {
            var stream = await session.Events.FetchForWriting<Execution>(start.ResponseId, ct);
            var started = stream.Decide(new StartExecution(start), Executions.Decide, Execution.Evolve);
            if (started.After is { IsFinished: true }) return await RecordedOutcomeAsync(session, start.ResponseId, ct);
            await CarryOutAsync(session, stream, started.After!, tenantId, ct);
            return null;
        }, ct);

    /// <summary>Carries out a started (or waiting) execution, if the asset can be reached or the wait is over.</summary>
    public Task ContinueAsync(string tenantId, Guid responseId, CancellationToken ct) =>
        store.WriteAsync(tenantId, async session =>
        {
            var stream = await session.Events.FetchForWriting<Execution>(responseId, ct);
            if (stream.Aggregate is { IsFinished: false } execution) await CarryOutAsync(session, stream, execution, tenantId, ct);
            return true;
        }, ct);

    private async Task CarryOutAsync(IDocumentSession session, IEventStream<Execution> stream, Execution execution, string tenantId,
        CancellationToken ct)
    {
        var request = new ExecutionRequest(execution.Id, tenantId, execution.IncidentId, execution.AssetId, execution.Parameters);
        var outcome = await adapter.ExecuteAsync(request, session, ct);
        var command = new RecordOutcome(outcome, clock.GetUtcNow(), options.Value.AssetWaitLimit);
        // Decided on the state after this run's start: the stream's Aggregate is the state fetched, without what this session appended.
        stream.AppendMany(Executions.Decide(command, execution));
        if (Executions.Undone(command, execution) is { } undone) session.Events.Append(undone.ResponseId, undone);
    }

    private static async Task<IEvent> RecordedOutcomeAsync(IDocumentSession session, Guid responseId, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(responseId, token: ct)).Last(e => e.Data is ResponseExecuted or ResponseFailed);
}
