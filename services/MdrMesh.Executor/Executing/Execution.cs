using MdrMesh.Contracts.Responses;

namespace MdrMesh.Executor.Executing;

public sealed record ResponseExecutionStarted(Guid ResponseId, Guid IncidentId, string AssetId, ResponseParameters Parameters, DateTimeOffset At, string By);

/// <summary>The asset could not be reached; the executor tries again until <see cref="Until"/>.</summary>
public sealed record ExecutionWaitingForAsset(Guid ResponseId, string Message, DateTimeOffset Until, DateTimeOffset At);

/// <summary>
/// Succeeded. <see cref="Start"/>: the start, when it is committed with the outcome (the usual run), so one event opens and
/// ends the stream; null when the start was recorded before (the asset was waited for) or in streams written before.
/// <see cref="Undid"/>: the earlier response whose effect this success ended (an isolation replaced or disabled, a file
/// restored), announced with it; streams written before recorded it as a <see cref="ResponseUndone"/> on the earlier stream.
/// </summary>
public sealed record ResponseExecuted(Guid ResponseId, Guid IncidentId, string AssetId, IReadOnlyDictionary<string, string> Details,
    DateTimeOffset At, string By, MdrMesh.Contracts.Messages.ResponseArtifact? Artifact = null, ResponseExecutionStarted? Start = null,
    ResponseUndone? Undid = null);

/// <summary>Failed. <see cref="Start"/> as in <see cref="ResponseExecuted"/>.</summary>
public sealed record ResponseFailed(Guid ResponseId, Guid IncidentId, string AssetId, string ReasonCode, string Message, DateTimeOffset At,
    string By, ResponseExecutionStarted? Start = null);

/// <summary>
/// What a response did on its asset was undone later: by its isolation term ending (an event on its own stream), or by
/// <see cref="UndoneBy"/> (carried by that response's <see cref="ResponseExecuted.Undid"/>).
/// </summary>
public sealed record ResponseUndone(Guid ResponseId, Guid IncidentId, string AssetId, Guid? UndoneBy, string Reason, DateTimeOffset At, string By);

/// <summary>One response's execution stream (id = response id): started, maybe waiting, then succeeded or failed once; maybe undone later.</summary>
public sealed record Execution
{

    public Guid Id { get; init; }

    /// <summary>Filled by Marten from the stream's tenant.</summary>
    public string TenantId { get; set; } = "";

    public Guid IncidentId { get; init; }
    public string AssetId { get; init; } = "";
    public ResponseParameters Parameters { get; init; } = new DisableIsolationParameters();
    public ExecutionStatus Status { get; init; } = ExecutionStatus.Started;
    public DateTimeOffset StartedAt { get; init; }
    public Guid? UndoneBy { get; init; }
    public string? UndoReason { get; init; }

    public bool IsFinished => Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed;

    public static Execution Create(ResponseExecutionStarted e) => new()
    {
        Id = e.ResponseId, IncidentId = e.IncidentId, AssetId = e.AssetId, Parameters = e.Parameters, StartedAt = e.At,
    };

    /// <summary>Started and ended in one event (Marten's snapshot calls Create for a stream's first event).</summary>
    public static Execution Create(ResponseExecuted e) => Create(StartOf(e.Start)).Apply(e);

    public static Execution Create(ResponseFailed e) => Create(StartOf(e.Start)).Apply(e);

    private static ResponseExecutionStarted StartOf(ResponseExecutionStarted? start) =>
        start ?? throw new InvalidOperationException("An outcome opens an execution stream only with its start.");

    public Execution Apply(ExecutionWaitingForAsset e) => this with { Status = ExecutionStatus.Waiting };

    public Execution Apply(ResponseExecuted e) => this with { Status = ExecutionStatus.Succeeded };

    public Execution Apply(ResponseFailed e) => this with { Status = ExecutionStatus.Failed };

    public Execution Apply(ResponseUndone e) => this with { UndoneBy = e.UndoneBy, UndoReason = e.Reason };

    /// <summary>The decider's fold: the same steps as Create/Apply, which Marten's inline snapshot calls.</summary>
    // Ignored by Marten's source generator, which otherwise takes a method named Evolve for the snapshot's own (one-argument) fold.
    [JasperFx.Core.JasperFxIgnore]
    public static Execution? Evolve(Execution? state, object e) => (state, e) switch
    {
        (null, ResponseExecutionStarted started) => Create(started),
        (null, ResponseExecuted executed) => Create(executed),
        (null, ResponseFailed failed) => Create(failed),
        ({ } s, ExecutionWaitingForAsset waiting) => s.Apply(waiting),
        ({ } s, ResponseExecuted executed) => s.Apply(executed),
        ({ } s, ResponseFailed failed) => s.Apply(failed),
        ({ } s, ResponseUndone undone) => s.Apply(undone),
        _ => state,
    };
}
