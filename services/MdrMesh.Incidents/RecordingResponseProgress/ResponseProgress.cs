using MdrMesh.ServiceDefaults;
using MassTransit;
using MdrMesh.Incidents.Attaching;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Incidents.RecordingResponseProgress;

public sealed record ResponseAccepted(Guid ResponseId, string? Comment, long? PolicyVersion, string? PolicyRule, DateTimeOffset At, string By,
    string? ById = null) : IIncidentEvent;

public sealed record ResponseRejected(Guid ResponseId, string Reason, string? Comment, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record ResponseExecutionStarted(Guid ResponseId, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record ResponseExecuted(Guid ResponseId, IReadOnlyDictionary<string, string> Details, DateTimeOffset At, string By,
    string? ById = null) : IIncidentEvent;

public sealed record ResponseFailed(Guid ResponseId, string ReasonCode, string Message, DateTimeOffset At, string By,
    string? ById = null) : IIncidentEvent;

/// <summary>What the response did was undone on the asset: by <see cref="UndoneBy"/>, or by the isolation term ending.</summary>
public sealed record ResponseUndone(Guid ResponseId, Guid? UndoneBy, string Reason, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary>
/// Pure decisions on what the other services report. A message that changes nothing (a
/// redelivery, a duplicate after a crash, a start reported after the end) yields no event, which
/// is what makes the consumer idempotent. An outcome that overtakes its start (a retry after a
/// database or broker restart lets the later message through first) records the start too, as the
/// executor always starts before it ends: history keeps New → Confirmed → InProgress → outcome.
/// </summary>
public static class ResponseProgress
{
    public static IReadOnlyList<IIncidentEvent> Decide(Incident incident, IIncidentEvent reported, Guid responseId)
    {
        var response = incident.Response(responseId);
        if (response is null) return [];
        var fresh = reported switch
        {
            ResponseAccepted or ResponseRejected => response.Decision is null,
            ResponseExecutionStarted => response.Execution is null,
            ResponseExecuted or ResponseFailed => response.Execution is null or ResponseStatus.InProgress,
            ResponseUndone => response.Undo is null,
            _ => false,
        };
        if (!fresh) return [];
        return (reported, response.Execution) switch
        {
            (ResponseExecuted c, null) => [new ResponseExecutionStarted(responseId, c.At, c.By), reported],
            (ResponseFailed f, null) => [new ResponseExecutionStarted(responseId, f.At, f.By), reported],
            _ => [reported],
        };
    }

    /// <summary>An acceptance as the incident records it: by a person (name and connection id), or by the auto-accept setting (no id).</summary>
    public static ResponseAccepted Confirmed(Messages.ResponseAccepted m) => new(m.ResponseId, m.Comment, m.AutoAccepted?.PolicyVersion,
        m.AutoAccepted?.Rule, m.At, DecidedBy(m), m.AutoAccepted is null ? m.ById : null);

    /// <summary>A rejection as the incident records it; the connection id only when a person declined.</summary>
    public static ResponseRejected Declined(Messages.ResponseRejected m) => new(m.ResponseId, m.Reason, m.Comment, m.At, m.By, m.ById);

    /// <summary>The file a completed response collected, as the incident's attachment (its id is the response's: one per response).</summary>
    public static AttachmentAdded Artifact(Guid responseId, Messages.ResponseArtifact artifact, DateTimeOffset at, string by) => new(
        responseId, artifact.FileName, artifact.Caption, artifact.Content.LongLength,
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(artifact.Content)), ContentSniffing.Sniff(artifact.Content), Origins.Soc,
        at, by);

    /// <summary>Who decided, as history shows it: a person's name, the tenant's rule and policy version, or the auto-accept setting.</summary>
    public static string DecidedBy(Messages.ResponseAccepted accepted) => accepted.AutoAccepted switch
    {
        { RuleNumber: { } number } rule => $"auto-accepted by rule {number} '{rule.RuleName}', policy v{rule.PolicyVersion}",
        { } setting => $"auto-accept setting v{setting.PolicyVersion} ({setting.Rule})",
        null => accepted.By,
    };
}

/// <summary>Appends decisions and outcomes reported by the approvals service and the executor to the incident stream.</summary>
public sealed class ResponseProgressConsumer(IncidentStore incidents, Marten.IDocumentStore store) :
    IConsumer<Messages.ResponseAccepted>, IConsumer<Messages.ResponseRejected>, IConsumer<Messages.ResponseExecutionStarted>,
    IConsumer<Messages.ResponseExecuted>, IConsumer<Messages.ResponseFailed>, IConsumer<Messages.ResponseUndone>
{
    public Task Consume(ConsumeContext<Messages.ResponseAccepted> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, ResponseProgress.Confirmed(m), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseRejected> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, ResponseProgress.Declined(m), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseExecutionStarted> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, new ResponseExecutionStarted(m.ResponseId, m.At, m.By), context.CancellationToken);
    }

    /// <summary>A completion, with what the response collected attached to the incident (its bytes stored first, once: the id is the response's).</summary>
    public async Task Consume(ConsumeContext<Messages.ResponseExecuted> context)
    {
        var m = context.Message;
        var completed = new ResponseExecuted(m.ResponseId, m.Details, m.At, m.By);
        if (m.Artifact is not { } artifact)
        {
            await Record(m.TenantId, m.IncidentId, m.ResponseId, completed, context.CancellationToken);
            return;
        }
        await AttachmentBlobs.WriteAsync(store, m.TenantId, m.ResponseId, artifact.Content, context.CancellationToken);
        var attached = ResponseProgress.Artifact(m.ResponseId, artifact, m.At, m.By);
        await incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(incident, completed, m.ResponseId) is [_, ..] recorded
            ? [.. recorded, attached]
            : [], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseFailed> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, new ResponseFailed(m.ResponseId, m.ReasonCode, m.Message, m.At, m.By),
            context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseUndone> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, new ResponseUndone(m.ResponseId, m.UndoneBy, m.Reason, m.At, m.By),
            context.CancellationToken);
    }

    private Task Record(string tenantId, Guid incidentId, Guid responseId, IIncidentEvent reported, CancellationToken ct) =>
        incidents.ChangeAsync(tenantId, incidentId, incident => ResponseProgress.Decide(incident, reported, responseId), ct);
}

/// <summary>
/// Many messages at once, so the incident writer can batch them into few commits; messages of one
/// incident one at a time, in the order the queue delivers them (a partition per incident id).
/// </summary>
public sealed class ResponseProgressDefinition : ConsumerDefinition<ResponseProgressConsumer>
{
    private const int Concurrency = 256;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ResponseProgressConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.ConsumeAtOnce(Concurrency);
        var partitioner = endpoint.CreatePartitioner(Concurrency);
        consumer.Message<Messages.ResponseAccepted>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<Messages.ResponseRejected>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<Messages.ResponseExecutionStarted>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<Messages.ResponseExecuted>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<Messages.ResponseFailed>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<Messages.ResponseUndone>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
    }
}
