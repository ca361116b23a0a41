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
/// </summary>
public sealed class ExecutionRunner(IDocumentStore store, IEndpointAdapter adapter, TimeProvider clock, IOptions<ExecutorOptions> options)
{
    public const string Actor = "executor";

    /// <summary>Returns the recorded outcome when the response had finished before (a replay), otherwise null.</summary>
    public async Task<IEvent?> RunAsync(string tenantId, ResponseExecutionStarted start, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenantId);
        session.CarryTrace();
        // Reads, the adapter's changes and the outcome in one transaction: one connection and one commit per run.
        await session.BeginTransactionAsync(ct);
        var stream = await session.Events.FetchForWriting<Execution>(start.ResponseId, ct);
        if (stream.Aggregate is { IsFinished: true }) return await RecordedOutcomeAsync(session, start.ResponseId, ct);
        var execution = stream.Aggregate;
        if (execution is null)
        {
            stream.AppendOne(start);
            execution = Execution.Create(start);
        }
        await CarryOutAsync(session, stream, execution, tenantId, ct);
        return null;
    }

    /// <summary>Carries out a started (or waiting) execution, if the asset can be reached or the wait is over.</summary>
    public async Task ContinueAsync(string tenantId, Guid responseId, CancellationToken ct)
    {
        await using var session = store.LightweightSession(tenantId);
        session.CarryTrace();
        await session.BeginTransactionAsync(ct);
        var stream = await session.Events.FetchForWriting<Execution>(responseId, ct);
        if (stream.Aggregate is not { IsFinished: false } execution) return;
        await CarryOutAsync(session, stream, execution, tenantId, ct);
    }

    private async Task CarryOutAsync(IDocumentSession session, IEventStream<Execution> stream, Execution execution, string tenantId,
        CancellationToken ct)
    {
        var responseId = execution.Id;
        var request = new ExecutionRequest(responseId, tenantId, execution.IncidentId, execution.AssetId, execution.Parameters);
        var outcome = await adapter.ExecuteAsync(request, session, ct);
        var now = clock.GetUtcNow();
        if (outcome is Unreachable unreachable)
        {
            var until = execution.StartedAt + options.Value.AssetWaitLimit;
            if (now < until)
            {
                if (execution.Status == ExecutionStatus.Waiting) return;
                stream.AppendOne(new ExecutionWaitingForAsset(responseId, unreachable.Message, until, now));
                await session.SaveChangesAsync(ct);
                return;
            }
            outcome = new Failed(ReasonCodes.AssetUnreachable, $"{unreachable.Message} Waited until {until:u}.");
        }

        stream.AppendOne(outcome switch
        {
            Succeeded s => new ResponseExecuted(responseId, execution.IncidentId, execution.AssetId, s.Details, now, Actor, s.Artifact),
            Failed f => new ResponseFailed(responseId, execution.IncidentId, execution.AssetId, f.ReasonCode, f.Message, now, Actor),
            _ => throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}"),
        });
        if (outcome is Succeeded { Undid: { } undone })
            session.Events.Append(undone.ResponseId,
                new ResponseUndone(undone.ResponseId, undone.IncidentId, execution.AssetId, responseId, undone.Reason, now, Actor));
        // A concurrent run that got here first makes this commit fail; the retry finds the outcome.
        await session.SaveChangesAsync(ct);
    }

    private static async Task<IEvent> RecordedOutcomeAsync(IDocumentSession session, Guid responseId, CancellationToken ct) =>
        (await session.Events.FetchStreamAsync(responseId, token: ct)).Last(e => e.Data is ResponseExecuted or ResponseFailed);
}
