using MdrMesh.ServiceDefaults;
using MassTransit;
using MdrMesh.Incidents.Attaching;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Incidents.RecordingResponseProgress;

public sealed record ResponseAccepted(Guid ResponseId, string? Comment, long? PolicyVersion, string? PolicyRule, DateTimeOffset At, string By,
    string? ById = null) : IIncidentEvent;

public sealed record ResponseRejected(Guid ResponseId, string Reason, string? Comment, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

public sealed record ResponseExecutionStarted(Guid ResponseId, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary>
/// Completed. <see cref="StartedAt"/>: the start, when no start was recorded before (the executor reported start and end
/// at once); <see cref="Collected"/>: the file the response collected, attached to the incident. One event, which folds and
/// reads in history as the start, the outcome and the attachment (<see cref="Incident.Steps"/>).
/// </summary>
public sealed record ResponseExecuted(Guid ResponseId, IReadOnlyDictionary<string, string> Details, DateTimeOffset At, string By,
    string? ById = null, DateTimeOffset? StartedAt = null, AttachmentAdded? Collected = null) : IIncidentEvent;

/// <summary>Failed. <see cref="StartedAt"/> as in <see cref="ResponseExecuted"/>.</summary>
public sealed record ResponseFailed(Guid ResponseId, string ReasonCode, string Message, DateTimeOffset At, string By,
    string? ById = null, DateTimeOffset? StartedAt = null) : IIncidentEvent;

/// <summary>
/// The auto-accept policy would have accepted the response, but the tenant's blast-radius guard held it for a person: history
/// only (<see cref="By"/> says why); the response stays New and the incident's update time stays.
/// </summary>
public sealed record ResponseAutoAcceptanceHeld(Guid ResponseId, string Reason, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary>What the response did was undone on the asset: by <see cref="UndoneBy"/>, or by the isolation term ending.</summary>
public sealed record ResponseUndone(Guid ResponseId, Guid? UndoneBy, string Reason, DateTimeOffset At, string By, string? ById = null) : IIncidentEvent;

/// <summary>
/// Pure decisions on what the other services report: each message, as the consumer received it, is the command. A message
/// that changes nothing (a redelivery, a duplicate after a crash, a start reported after the end) yields no event, which
/// is what makes the consumer idempotent. An outcome with no start recorded before it records the start too, in the same
/// event (at the outcome's <c>StartedAt</c> when the executor sent no start of its own, the usual case; else the start was
/// overtaken, e.g. by a retry after a restart), as the executor always starts before it ends: history keeps New →
/// Confirmed → InProgress → outcome.
/// </summary>
public static class ResponseProgress
{
    /// <summary>An acceptance as the incident records it: by a person (name and connection id), or by the auto-accept setting (no id).</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(Messages.ResponseAccepted m, Incident incident) => Record(incident, m.ResponseId,
        new ResponseAccepted(m.ResponseId, m.Comment, m.AutoAccepted?.PolicyVersion, m.AutoAccepted?.Rule, m.At, DecidedBy(m),
            m.AutoAccepted is null ? m.ById : null));

    /// <summary>A rejection as the incident records it; the connection id only when a person declined.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(Messages.ResponseRejected m, Incident incident) =>
        Record(incident, m.ResponseId, new ResponseRejected(m.ResponseId, m.Reason, m.Comment, m.At, m.By, m.ById));

    /// <summary>A hold by the blast-radius guard, as history shows it: "waiting for a person: " and the guard's reason.</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(Messages.AutoAcceptanceHeld m, Incident incident) =>
        Record(incident, m.ResponseId, new ResponseAutoAcceptanceHeld(m.ResponseId, m.Reason, m.At, $"waiting for a person: {m.Reason}"));

    public static IReadOnlyList<IIncidentEvent> Decide(Messages.ResponseExecutionStarted m, Incident incident) =>
        Record(incident, m.ResponseId, new ResponseExecutionStarted(m.ResponseId, m.At, m.By));

    /// <summary>A completion, with the file it collected attached to the incident in the same event (its bytes are stored first).</summary>
    public static IReadOnlyList<IIncidentEvent> Decide(Messages.ResponseExecuted m, Incident incident) =>
        Record(incident, m.ResponseId, new ResponseExecuted(m.ResponseId, m.Details, m.At, m.By,
            Collected: m.Artifact is { } artifact ? Artifact(m.ResponseId, artifact, m.At, m.By) : null), m.StartedAt);

    public static IReadOnlyList<IIncidentEvent> Decide(Messages.ResponseFailed m, Incident incident) =>
        Record(incident, m.ResponseId, new ResponseFailed(m.ResponseId, m.ReasonCode, m.Message, m.At, m.By), m.StartedAt);

    public static IReadOnlyList<IIncidentEvent> Decide(Messages.ResponseUndone m, Incident incident) =>
        Record(incident, m.ResponseId, new ResponseUndone(m.ResponseId, m.UndoneBy, m.Reason, m.At, m.By));

    /// <summary>Who decided, as history shows it: a person's name, the tenant's rule and policy version, or the auto-accept setting.</summary>
    public static string DecidedBy(Messages.ResponseAccepted accepted) => accepted.AutoAccepted switch
    {
        { RuleNumber: { } number } rule => $"auto-accepted by rule {number} '{rule.RuleName}', policy v{rule.PolicyVersion}",
        { } setting => $"auto-accept setting v{setting.PolicyVersion} ({setting.Rule})",
        null => accepted.By,
    };

    // The reported event if the response is there and not past it yet, after the start an outcome overtook or carried
    // (startedAt: the executor recorded start and outcome in one commit and sent only the outcome).
    private static IReadOnlyList<IIncidentEvent> Record(Incident incident, Guid responseId, IIncidentEvent reported,
        DateTimeOffset? startedAt = null)
    {
        var response = incident.Response(responseId);
        if (response is null) return [];
        var fresh = reported switch
        {
            ResponseAccepted or ResponseRejected => response.Decision is null,
            // Once, and only while it still waits: a person may have decided meanwhile.
            ResponseAutoAcceptanceHeld => response.Decision is null && response.HeldFor is null,
            ResponseExecutionStarted => response.Execution is null,
            ResponseExecuted or ResponseFailed => response.Execution is null or ResponseStatus.InProgress,
            ResponseUndone => response.Undo is null,
            _ => false,
        };
        if (!fresh) return [];
        // History never reads InProgress before Confirmed: approvals publishes the decision before it asks for the execution
        // (one commit, in stream order), so a start or outcome that overtook it here is a moment ahead; it is tried again.
        if (reported is ResponseExecutionStarted or ResponseExecuted or ResponseFailed && response.Decision is null)
            throw new DecisionNotYetRecorded(responseId);
        // Only a completed response is ever undone, and the undo is announced by the response that ended it, a stream the
        // completion did not travel on: one that overtook the completion is tried again.
        if (reported is ResponseUndone && response.Execution is not ResponseStatus.Completed) throw new CompletionNotYetRecorded(responseId);
        return (reported, response.Execution) switch
        {
            (ResponseExecuted c, null) => [c with { StartedAt = startedAt ?? c.At }],
            (ResponseFailed f, null) => [f with { StartedAt = startedAt ?? f.At }],
            _ => [reported],
        };
    }

    // The file a completed response collected, as the incident's attachment (its id is the response's: one per response).
    private static AttachmentAdded Artifact(Guid responseId, Messages.ResponseArtifact artifact, DateTimeOffset at, string by) => new(
        responseId, artifact.FileName, artifact.Caption, artifact.Content.LongLength,
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(artifact.Content)), ContentSniffing.Sniff(artifact.Content), Origins.Soc,
        at, by);
}

/// <summary>An execution reported before its decision reached the incident: the message is retried, and the decision, already sent, comes first.</summary>
public sealed class DecisionNotYetRecorded(Guid responseId) : Exception($"Response {responseId}: its execution was reported before its decision was recorded.");

/// <summary>An undo reported before the completion it undoes reached the incident: the message is retried, and the completion, already sent, comes first.</summary>
public sealed class CompletionNotYetRecorded(Guid responseId) : Exception($"Response {responseId}: its undo was reported before its completion was recorded.");

/// <summary>Appends decisions and outcomes reported by the approvals service and the executor to the incident stream.</summary>
public sealed class ResponseProgressConsumer(IncidentStore incidents, Marten.IDocumentStore store) :
    IConsumer<Messages.ResponseAccepted>, IConsumer<Messages.ResponseRejected>, IConsumer<Messages.AutoAcceptanceHeld>,
    IConsumer<Messages.ResponseExecutionStarted>,
    IConsumer<Messages.ResponseExecuted>, IConsumer<Messages.ResponseFailed>, IConsumer<Messages.ResponseUndone>
{
    public Task Consume(ConsumeContext<Messages.ResponseAccepted> context)
    {
        var m = context.Message;
        return incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(m, incident), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseRejected> context)
    {
        var m = context.Message;
        return incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(m, incident), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.AutoAcceptanceHeld> context)
    {
        var m = context.Message;
        return incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(m, incident), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseExecutionStarted> context)
    {
        var m = context.Message;
        return incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(m, incident), context.CancellationToken);
    }

    /// <summary>What the response collected is stored first, once (the id is the response's): an event never names a file that is not there.</summary>
    public async Task Consume(ConsumeContext<Messages.ResponseExecuted> context)
    {
        var m = context.Message;
        if (m.Artifact is { } artifact) await AttachmentBlobs.WriteAsync(store, m.TenantId, m.ResponseId, artifact.Content, context.CancellationToken);
        await incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(m, incident), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseFailed> context)
    {
        var m = context.Message;
        return incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(m, incident), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<Messages.ResponseUndone> context)
    {
        var m = context.Message;
        return incidents.ChangeAsync(m.TenantId, m.IncidentId, incident => ResponseProgress.Decide(m, incident), context.CancellationToken);
    }
}

/// <summary>
/// Many messages at once, so the incident writer can batch them into few commits, several of one incident included (the
/// decisions and outcomes of an incident's responses often land in one commit: one document write instead of several).
/// No partition per incident: the writer keeps one incident's changes in the order they reach it, and the decisions
/// are safe in any order (an outcome ahead of its start records the start too; a late start or a repeat changes nothing;
/// an execution ahead of its decision is retried until the decision is in, see <see cref="DecisionNotYetRecorded"/>).
/// </summary>
public sealed class ResponseProgressDefinition : ConsumerDefinition<ResponseProgressConsumer>
{
    private const int Concurrency = 256;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<ResponseProgressConsumer> consumer,
        IRegistrationContext context) => endpoint.ConsumeAtOnce(Concurrency);
}
