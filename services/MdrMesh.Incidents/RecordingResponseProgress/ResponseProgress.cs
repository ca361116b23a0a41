using MdrMesh.ServiceDefaults;
using MassTransit;
using MdrMesh.Contracts.Messages;
using MdrMesh.Incidents.Attaching;

namespace MdrMesh.Incidents.RecordingResponseProgress;

public sealed record ResponseConfirmed(Guid ResponseId, string? Comment, long? PolicyVersion, string? PolicyRule, DateTimeOffset At, string By,
    string? ById = null) : IIncidentEvent;

public sealed record ResponseDeclined(Guid ResponseId, string Reason, string? Comment, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record ResponseExecutionBegan(Guid ResponseId, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record ResponseCompleted(Guid ResponseId, IReadOnlyDictionary<string, string> Details, DateTimeOffset At, string By,
    string? ById = null) : IIncidentEvent;

public sealed record ResponseExecutionFailed(Guid ResponseId, string ReasonCode, string Message, DateTimeOffset At, string By,
    string? ById = null) : IIncidentEvent;

/// <summary>What the response did was undone on the asset: by <see cref="UndoneBy"/>, or by the isolation term ending.</summary>
public sealed record ResponseWasUndone(Guid ResponseId, Guid? UndoneBy, string Reason, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

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
            ResponseConfirmed or ResponseDeclined => response.Decision is null,
            ResponseExecutionBegan => response.Execution is null,
            ResponseCompleted or ResponseExecutionFailed => response.Execution is null or ResponseStatus.InProgress,
            ResponseWasUndone => response.Undo is null,
            _ => false,
        };
        if (!fresh) return [];
        return (reported, response.Execution) switch
        {
            (ResponseCompleted c, null) => [new ResponseExecutionBegan(responseId, c.At, c.By), reported],
            (ResponseExecutionFailed f, null) => [new ResponseExecutionBegan(responseId, f.At, f.By), reported],
            _ => [reported],
        };
    }

    /// <summary>An acceptance as the incident records it: by a person (name and connection id), or by the auto-accept setting (no id).</summary>
    public static ResponseConfirmed Confirmed(ResponseAccepted m) => new(m.ResponseId, m.Comment, m.AutoAccepted?.PolicyVersion,
        m.AutoAccepted?.Rule, m.At, DecidedBy(m), m.AutoAccepted is null ? m.ById : null);

    /// <summary>A rejection as the incident records it; the connection id only when a person declined.</summary>
    public static ResponseDeclined Declined(ResponseRejected m) => new(m.ResponseId, m.Reason, m.Comment, m.At, m.By, m.ById);

    /// <summary>The file a completed response collected, as the incident's attachment (its id is the response's: one per response).</summary>
    public static AttachmentAdded Artifact(Guid responseId, ResponseArtifact artifact, DateTimeOffset at, string by) => new(
        responseId, artifact.FileName, artifact.Caption, artifact.Content.LongLength,
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(artifact.Content)), ContentSniffing.Sniff(artifact.Content), Origins.Soc,
        at, by);

    /// <summary>Who decided, as history shows it: a person's name, or the auto-accept setting and rule.</summary>
    public static string DecidedBy(ResponseAccepted accepted) =>
        accepted.AutoAccepted is { } auto ? $"auto-accept setting v{auto.PolicyVersion} ({auto.Rule})" : accepted.By;
}

/// <summary>Appends decisions and outcomes reported by the approvals service and the executor to the incident stream.</summary>
public sealed class ResponseProgressConsumer(IncidentStore incidents, Marten.IDocumentStore store) :
    IConsumer<ResponseAccepted>, IConsumer<ResponseRejected>, IConsumer<ResponseExecutionStarted>,
    IConsumer<ResponseExecuted>, IConsumer<ResponseFailed>, IConsumer<ResponseUndone>
{
    public Task Consume(ConsumeContext<ResponseAccepted> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, ResponseProgress.Confirmed(m), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ResponseRejected> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, ResponseProgress.Declined(m), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ResponseExecutionStarted> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, new ResponseExecutionBegan(m.ResponseId, m.At, m.By), context.CancellationToken);
    }

    /// <summary>A completion, with what the response collected attached to the incident (its bytes stored first, once: the id is the response's).</summary>
    public async Task Consume(ConsumeContext<ResponseExecuted> context)
    {
        var m = context.Message;
        var completed = new ResponseCompleted(m.ResponseId, m.Details, m.At, m.By);
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

    public Task Consume(ConsumeContext<ResponseFailed> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, new ResponseExecutionFailed(m.ResponseId, m.ReasonCode, m.Message, m.At, m.By),
            context.CancellationToken);
    }

    public Task Consume(ConsumeContext<ResponseUndone> context)
    {
        var m = context.Message;
        return Record(m.TenantId, m.IncidentId, m.ResponseId, new ResponseWasUndone(m.ResponseId, m.UndoneBy, m.Reason, m.At, m.By),
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
        consumer.Message<ResponseAccepted>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<ResponseRejected>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<ResponseExecutionStarted>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<ResponseExecuted>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<ResponseFailed>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
        consumer.Message<ResponseUndone>(m => m.UsePartitioner(partitioner, x => x.Message.IncidentId));
    }
}
