namespace MdrMesh.EndToEnd.Tests.Earlier;

// The earlier version's event types, by the names it stored them under (Marten names an event type after its class);
// only the fields the tests read.
public sealed record ResponseAdded(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ResponseConfirmed(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ResponseDeclined(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ResponseExecutionBegan(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ResponseCompleted(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ResponseExecutionFailed(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ResponseWasUndone(Guid ResponseId, DateTimeOffset At, string By);
public sealed record DecisionRequested(Guid ResponseId, string ProposedBy);
public sealed record ExecutionStarted(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ExecutionSucceeded(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ExecutionFailed(Guid ResponseId, DateTimeOffset At, string By);
public sealed record ExecutionUndone(Guid ResponseId, DateTimeOffset At, string By);
