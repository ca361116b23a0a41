namespace MdrMesh.Executor.Executing;

/// <summary>The execution decider: a command and the stream's state in, the events to append out. Pure.</summary>
public static class Executions
{
    /// <summary>Who the executor's events name as their author.</summary>
    public const string Actor = "executor";

    public static IReadOnlyList<object> Decide(IExecutionCommand command, Execution? state) => (command, state) switch
    {
        (StartExecution start, null) => [start.Start],
        (StartExecution, _) => [],
        (RecordOutcome, null) => throw new InvalidOperationException("An outcome needs a started execution."),
        (RecordOutcome, { IsFinished: true }) => [],
        (RecordOutcome outcome, _) => Record(outcome, state),
        _ => throw new InvalidOperationException($"Unknown command {command.GetType().Name}"),
    };

    /// <summary>
    /// The events of one run: a start and the outcome decided in the same run become one outcome event carrying its start
    /// (one row and one message instead of two); a start and a wait for the asset stay two events.
    /// </summary>
    public static IReadOnlyList<object> Run(IReadOnlyList<object> started, IReadOnlyList<object> outcome) => (started, outcome) switch
    {
        ([ResponseExecutionStarted start], [ResponseExecuted executed]) => [executed with { Start = start }],
        ([ResponseExecutionStarted start], [ResponseFailed failed]) => [failed with { Start = start }],
        _ => [.. started, .. outcome],
    };

    private static IReadOnlyList<object> Record(RecordOutcome command, Execution state)
    {
        var outcome = command.Outcome;
        if (outcome is Unreachable unreachable)
        {
            var until = state.StartedAt + command.AssetWaitLimit;
            if (command.Now < until)
                return state.Status == ExecutionStatus.Waiting ? [] : [new ExecutionWaitingForAsset(state.Id, unreachable.Message, until, command.Now)];
            outcome = new Failed(ReasonCodes.AssetUnreachable, $"{unreachable.Message} Waited until {until:u}.");
        }
        return outcome switch
        {
            // The earlier response this one undid rides on this outcome: no second stream written in the commit.
            Succeeded s => [new ResponseExecuted(state.Id, state.IncidentId, state.AssetId, s.Details, command.Now, Actor, s.Artifact,
                Undid: s.Undid is { } undid
                    ? new ResponseUndone(undid.ResponseId, undid.IncidentId, state.AssetId, state.Id, undid.Reason, command.Now, Actor)
                    : null)],
            Failed f => [new ResponseFailed(state.Id, state.IncidentId, state.AssetId, f.ReasonCode, f.Message, command.Now, Actor)],
            _ => throw new InvalidOperationException($"Unknown outcome {outcome.GetType().Name}"),
        };
    }
}
