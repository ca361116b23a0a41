using MdrMesh.Contracts.Responses;
using MdrMesh.Executor.Executing;
using UndoReason = MdrMesh.Contracts.Messages.UndoReason;

namespace MdrMesh.Services.Tests;

/// <summary>The execution decider in Given / When / Then: what a start and each outcome append, and what they do not.</summary>
public class ExecutionDeciderTests
{
    private static readonly DateTimeOffset StartedAt = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Limit = TimeSpan.FromHours(1);
    private static readonly Guid Response = Guid.NewGuid();
    private static readonly Guid Incident = Guid.NewGuid();
    private static readonly ResponseExecutionStarted Started =
        new(Response, Incident, "ws-1", new DisableIsolationParameters(), StartedAt, Executions.Actor);
    private static readonly Dictionary<string, string> Details = new() { ["note"] = "done" };

    private static DeciderSpec<Execution, IExecutionCommand> Spec() => new(Executions.Decide, Execution.Evolve);

    private static RecordOutcome Outcome(ExecutionOutcome outcome, TimeSpan after) => new(outcome, StartedAt + after, Limit);

    [Fact]
    public void A_start_on_a_new_stream_starts_it() =>
        Spec().When(new StartExecution(Started)).Then(Started);

    [Fact]
    public void A_replayed_start_on_a_finished_execution_decides_nothing() =>
        Spec().Given(Started, new ResponseExecuted(Response, Incident, "ws-1", Details, StartedAt, Executions.Actor))
            .When(new StartExecution(Started with { At = StartedAt.AddMinutes(5) }))
            .Then();

    [Fact]
    public void A_success_executes_the_response()
    {
        var now = StartedAt.AddSeconds(1);
        Spec().Given(Started).When(Outcome(new Succeeded(Details), TimeSpan.FromSeconds(1)))
            .Then(new ResponseExecuted(Response, Incident, "ws-1", Details, now, Executions.Actor));
    }

    [Fact]
    public void A_failure_fails_the_response_with_its_reason_code() =>
        Spec().Given(Started).When(Outcome(new Failed(ReasonCodes.FileNotFound, "No file."), TimeSpan.FromSeconds(1)))
            .Then(new ResponseFailed(Response, Incident, "ws-1", ReasonCodes.FileNotFound, "No file.", StartedAt.AddSeconds(1), Executions.Actor));

    [Fact]
    public void An_outcome_on_a_finished_execution_decides_nothing() =>
        Spec().Given(Started, new ResponseFailed(Response, Incident, "ws-1", ReasonCodes.FileNotFound, "No file.", StartedAt, Executions.Actor))
            .When(Outcome(new Succeeded(Details), TimeSpan.FromSeconds(1)))
            .Then();

    [Fact]
    public void An_unreachable_asset_within_the_limit_is_waited_for_once()
    {
        var unreachable = Outcome(new Unreachable("Offline."), TimeSpan.FromMinutes(1));
        var waiting = new ExecutionWaitingForAsset(Response, "Offline.", StartedAt + Limit, StartedAt.AddMinutes(1));
        Spec().Given(Started).When(unreachable).Then(waiting);
        Spec().Given(Started, waiting).When(Outcome(new Unreachable("Offline."), TimeSpan.FromMinutes(2))).Then();
    }

    [Fact]
    public void An_unreachable_asset_past_the_limit_fails_the_response() =>
        Spec().Given(Started, new ExecutionWaitingForAsset(Response, "Offline.", StartedAt + Limit, StartedAt.AddMinutes(1)))
            .When(Outcome(new Unreachable("Offline."), Limit))
            .Then(new ResponseFailed(Response, Incident, "ws-1", ReasonCodes.AssetUnreachable, $"Offline. Waited until {StartedAt + Limit:u}.",
                StartedAt + Limit, Executions.Actor));

    [Fact]
    public void A_success_that_undid_an_earlier_response_carries_that_undo_and_announces_it_after_its_own_outcome()
    {
        var earlier = new UndoneResponse(Guid.NewGuid(), Guid.NewGuid(), UndoReason.IsolationDisabled);
        var command = Outcome(new Succeeded(Details, earlier), TimeSpan.FromSeconds(1));
        var undone = new ResponseUndone(earlier.ResponseId, earlier.IncidentId, "ws-1", Response, UndoReason.IsolationDisabled, command.Now,
            Executions.Actor);

        var executed = Spec().Given(Started).When(command)
            .Then(new ResponseExecuted(Response, Incident, "ws-1", Details, command.Now, Executions.Actor, Undid: undone)).Single();

        // One event on this response's stream only; the incident learns of the undo right after this response's completion.
        var announced = new MdrMesh.Executor.ExecutorMessages().ToMessages(new JasperFx.Events.Event<ResponseExecuted>((ResponseExecuted)executed)
            { TenantId = "t1" });
        Assert.Equal([typeof(MdrMesh.Contracts.Messages.ResponseExecuted), typeof(MdrMesh.Contracts.Messages.ResponseUndone)],
            announced.Select(m => m.GetType()));
        Assert.Equal((earlier.ResponseId, (Guid?)Response, UndoReason.IsolationDisabled),
            announced.OfType<MdrMesh.Contracts.Messages.ResponseUndone>().Select(u => (u.ResponseId, u.UndoneBy, u.Reason)).Single());
    }

    [Fact]
    public void A_start_and_the_outcome_of_one_run_are_one_event_that_opens_and_ends_the_stream()
    {
        var executed = new ResponseExecuted(Response, Incident, "ws-1", Details, StartedAt.AddSeconds(1), Executions.Actor);
        var failed = new ResponseFailed(Response, Incident, "ws-1", ReasonCodes.FileNotFound, "No file.", StartedAt.AddSeconds(1), Executions.Actor);

        Assert.Equal([executed with { Start = Started }], Executions.Run([Started], [executed]));
        Assert.Equal([failed with { Start = Started }], Executions.Run([Started], [failed]));
        var finished = Execution.Evolve(null, executed with { Start = Started })!;
        Assert.Equal((ExecutionStatus.Succeeded, "ws-1", StartedAt, Incident), (finished.Status, finished.AssetId, finished.StartedAt, finished.IncidentId));
        Assert.Equal(ExecutionStatus.Failed, Execution.Evolve(null, failed with { Start = Started })!.Status);
        // A replayed start on a finished stream decides nothing, so the replay finds the recorded outcome.
        Spec().Given(executed with { Start = Started }).When(new StartExecution(Started)).Then();
    }

    [Fact]
    public void A_start_and_a_wait_for_the_asset_stay_two_events_and_a_later_outcome_carries_no_start()
    {
        var waiting = new ExecutionWaitingForAsset(Response, "Offline.", StartedAt + Limit, StartedAt);
        var executed = new ResponseExecuted(Response, Incident, "ws-1", Details, StartedAt.AddMinutes(1), Executions.Actor);

        Assert.Equal([Started, waiting], Executions.Run([Started], [waiting]));
        Assert.Equal([executed], Executions.Run([], [executed]));
    }
}
