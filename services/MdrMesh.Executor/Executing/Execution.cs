using MdrMesh.Contracts.Responses;

namespace MdrMesh.Executor.Executing;

public sealed record ExecutionStarted(Guid ResponseId, Guid IncidentId, string AssetId, ResponseParameters Parameters, DateTimeOffset At, string By);

public sealed record ExecutionSucceeded(Guid ResponseId, Guid IncidentId, string AssetId, IReadOnlyDictionary<string, string> Details,
    DateTimeOffset At, string By);

public sealed record ExecutionFailed(Guid ResponseId, Guid IncidentId, string AssetId, string ReasonCode, string Message, DateTimeOffset At,
    string By);

/// <summary>One response's execution stream (id = response id): started, then succeeded or failed, once.</summary>
public sealed record Execution
{
    public Guid Id { get; init; }
    public Guid IncidentId { get; init; }
    public string AssetId { get; init; } = "";
    public ResponseParameters Parameters { get; init; } = new DisableIsolationParameters();
    public string Status { get; init; } = "Started";
    public DateTimeOffset StartedAt { get; init; }

    public bool IsFinished => Status != "Started";

    public static Execution Create(ExecutionStarted e) => new()
    {
        Id = e.ResponseId, IncidentId = e.IncidentId, AssetId = e.AssetId, Parameters = e.Parameters, StartedAt = e.At,
    };

    public Execution Apply(ExecutionSucceeded e) => this with { Status = "Succeeded" };

    public Execution Apply(ExecutionFailed e) => this with { Status = "Failed" };
}
