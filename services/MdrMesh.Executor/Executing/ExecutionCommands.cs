namespace MdrMesh.Executor.Executing;

/// <summary>What the executor asks of one response's execution stream; <see cref="Executions.Decide"/> answers with events.</summary>
public interface IExecutionCommand;

/// <summary>Start the execution (a replayed start on an existing stream decides nothing).</summary>
public sealed record StartExecution(ResponseExecutionStarted Start) : IExecutionCommand;

/// <summary>
/// Record what the endpoint adapter reported at <paramref name="Now"/>; an unreachable asset is waited for up to
/// <paramref name="AssetWaitLimit"/> after the start.
/// </summary>
public sealed record RecordOutcome(ExecutionOutcome Outcome, DateTimeOffset Now, TimeSpan AssetWaitLimit) : IExecutionCommand;
