using MassTransit;
using MdrMesh.Contracts.Messages;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Executor.Executing;

/// <summary>Runs an accepted response; a replayed command re-publishes the recorded outcome (same message id) instead.</summary>
public sealed class ExecuteResponseConsumer(ExecutionRunner runner, IMessageMap messages, TimeProvider clock) : IConsumer<ExecuteResponse>
{
    public async Task Consume(ConsumeContext<ExecuteResponse> context)
    {
        var command = context.Message;
        var start = new ExecutionStarted(command.ResponseId, command.IncidentId, command.AssetId, command.Parameters, clock.GetUtcNow(),
            ExecutionRunner.Actor);
        if (await runner.RunAsync(command.TenantId, start, context.CancellationToken) is { } recorded)
        {
            var message = messages.ToMessage(recorded)!;
            await context.Publish(message, message.GetType(), publish => publish.MessageId = recorded.Id, context.CancellationToken);
        }
    }
}
