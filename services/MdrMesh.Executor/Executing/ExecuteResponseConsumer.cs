using JasperFx;
using Marten;
using MassTransit;
using MdrMesh.Contracts.Messages;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor.Executing;

/// <summary>
/// Runs an accepted response once. First commit: started. Then the adapter acts, and the second
/// commit records the outcome. A replayed command finds the outcome and publishes it again (same
/// message id), running nothing; one that finds only "started" (a crash in between) finishes the run.
/// </summary>
public sealed class ExecuteResponseConsumer(IDocumentStore store, IEndpointAdapter adapter, IMessageMap messages, TimeProvider clock)
    : IConsumer<ExecuteResponse>
{
    public const string Actor = "executor";

    public async Task Consume(ConsumeContext<ExecuteResponse> context)
    {
        var command = context.Message;
        var ct = context.CancellationToken;
        await using (var session = store.LightweightSession(command.TenantId))
        {
            var stream = await session.Events.FetchForWriting<Execution>(command.ResponseId, ct);
            if (stream.Aggregate is { IsFinished: true })
            {
                await RepublishOutcomeAsync(context, session);
                return;
            }
            if (stream.Aggregate is null)
            {
                stream.AppendOne(new ExecutionStarted(command.ResponseId, command.IncidentId, command.AssetId, command.Parameters, clock.GetUtcNow(), Actor));
                await session.SaveChangesAsync(ct);
            }
        }

        await using (var session = store.LightweightSession(command.TenantId))
        {
            var stream = await session.Events.FetchForWriting<Execution>(command.ResponseId, ct);
            if (stream.Aggregate is { IsFinished: true })
            {
                await RepublishOutcomeAsync(context, session);
                return;
            }
            var request = new ExecutionRequest(command.ResponseId, command.TenantId, command.AssetId, command.Parameters);
            var outcome = await adapter.ExecuteAsync(request, session, ct);
            stream.AppendOne(outcome switch
            {
                Succeeded s => new ExecutionSucceeded(command.ResponseId, command.IncidentId, command.AssetId, s.Details, clock.GetUtcNow(), Actor),
                Failed f => new ExecutionFailed(command.ResponseId, command.IncidentId, command.AssetId, f.ReasonCode, f.Message, clock.GetUtcNow(), Actor),
                _ => throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}"),
            });
            // A concurrent duplicate that got here first makes this commit fail; the retry then
            // finds the outcome and only re-publishes it.
            await session.SaveChangesAsync(ct);
        }
    }

    // The outcome goes out again with the id it was first published with, so consumers see a repeat, not news.
    private async Task RepublishOutcomeAsync(ConsumeContext<ExecuteResponse> context, IDocumentSession session)
    {
        var recorded = (await session.Events.FetchStreamAsync(context.Message.ResponseId, token: context.CancellationToken)).Last();
        var message = messages.ToMessage(recorded)!;
        await context.Publish(message, message.GetType(), publish => publish.MessageId = recorded.Id, context.CancellationToken);
    }
}
