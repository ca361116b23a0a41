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
        var start = new ResponseExecutionStarted(command.ResponseId, command.IncidentId, command.AssetId, command.Parameters, clock.GetUtcNow(),
            Executions.Actor);
        if (await runner.RunAsync(command.TenantId, start, context.CancellationToken) is { } recorded)
        {
            foreach (var announced in messages.Announce(recorded)) await context.PublishAsync(announced, context.CancellationToken);
        }
    }
}

/// <summary>
/// Many executions at once (an outbreak isolates hundreds of hosts), but one at a time per asset:
/// two responses on one host would otherwise collide on its state and retry.
/// </summary>
public sealed class ExecuteResponseDefinition : ConsumerDefinition<ExecuteResponseConsumer>
{
    private const int Concurrency = 64;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ExecuteResponseConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.ConsumeAtOnce(Concurrency);
        consumer.Message<ExecuteResponse>(m => m.UsePartitioner(Concurrency, x => AssetKey(x.Message.TenantId, x.Message.AssetId)));
    }

    /// <summary>A stable key of the asset (tenant and asset id) for the partitioner, which keys on Guids.</summary>
    public static Guid AssetKey(string tenantId, string assetId) =>
        new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes($"{tenantId}\n{assetId}")));
}
