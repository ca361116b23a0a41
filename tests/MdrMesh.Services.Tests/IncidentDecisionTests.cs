using Messages = MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.Incidents;
using MdrMesh.Incidents.Attaching;
using MdrMesh.Incidents.ChangingStatus;
using MdrMesh.Incidents.ClosingIncident;
using MdrMesh.Incidents.Commenting;
using IncidentClosed = MdrMesh.Incidents.ClosingIncident.IncidentClosed;
using MdrMesh.Incidents.GettingHistory;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.Incidents.OpeningIncident;
using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.Incidents.RecordingResponseProgress;
using MdrMesh.Incidents.RevealingPasswords;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Services.Tests;

public class IncidentDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid IncidentId = Guid.NewGuid();
    private static readonly Guid ResponseId = Guid.NewGuid();

    private static readonly IncidentOpened Opened =
        new(IncidentId, "t1", 7, "Miner", null, "HIGH", ["WS-1:ws-1"], [], [], null, null, "SOC", Now, "soc");

    private static readonly ResponseProposed Proposed = new(ResponseId, "ws-1", new DisableIsolationParameters(), null, Now, "soc");

    private static readonly Caller Soc = new("c-soc", "soc", null, new HashSet<string> { "SOC_OPERATOR" });

    private static Caller Customer(string rights, string tenant = "t1") => new($"c-{rights}", "Jane", new HashSet<string> { tenant }, new HashSet<string> { rights });

    /// <summary>A decider of the incident, Given/When/Then, on the state <see cref="Incident.Evolve"/> folds.</summary>
    private static DeciderSpec<Incident, TCommand> Spec<TCommand>(Func<TCommand, Incident, IReadOnlyList<IIncidentEvent>> decide) =>
        new((command, incident) => decide(command, incident!), (incident, e) => Incident.Evolve(incident, (IIncidentEvent)e));

    private static Incident State(params IIncidentEvent[] events) => events.Aggregate((Incident?)null, Incident.Evolve)!;

    private static ResponseStatus StatusAfter(params IIncidentEvent[] events) => State(events).Response(ResponseId)!.Status;

    private static Messages.ResponseAccepted Accepted(string by = "alice", Messages.AutoAcceptance? auto = null, string? byId = null) =>
        new(ResponseId, "t1", IncidentId, Now, by, null, auto, byId);

    private static Messages.ResponseExecutionStarted Started(DateTimeOffset at) => new(ResponseId, "t1", IncidentId, "ws-1", at, "executor");

    private static readonly IReadOnlyDictionary<string, string> NoDetails = new Dictionary<string, string>();

    private static Messages.ResponseExecuted Executed() => new(ResponseId, "t1", IncidentId, "ws-1", Now, "executor", NoDetails);

    [Fact]
    public void A_response_goes_New_Confirmed_InProgress_Completed()
    {
        var accepted = new ResponseAccepted(ResponseId, null, 1, "ALL_TENANTS", Now, "auto-accept setting v1 (ALL_TENANTS)");
        var began = new ResponseExecutionStarted(ResponseId, Now, "executor");
        var completed = new ResponseExecuted(ResponseId, NoDetails, Now, "executor");

        Spec<Messages.ResponseAccepted>(ResponseProgress.Decide).Given(Opened, Proposed)
            .When(Accepted("auto-accept", new Messages.AutoAcceptance(1, "ALL_TENANTS"))).Then(accepted);
        Spec<Messages.ResponseExecutionStarted>(ResponseProgress.Decide).Given(Opened, Proposed, accepted).When(Started(Now)).Then(began);
        Spec<Messages.ResponseExecuted>(ResponseProgress.Decide).Given(Opened, Proposed, accepted, began).When(Executed()).Then(completed);

        Assert.Equal([ResponseStatus.New, ResponseStatus.Confirmed, ResponseStatus.InProgress, ResponseStatus.Completed],
            [StatusAfter(Opened, Proposed), StatusAfter(Opened, Proposed, accepted), StatusAfter(Opened, Proposed, accepted, began),
                StatusAfter(Opened, Proposed, accepted, began, completed)]);
    }

    [Fact]
    public void Repeated_and_late_reports_change_nothing()
    {
        IIncidentEvent[] done =
        [
            Opened, Proposed, new ResponseAccepted(ResponseId, null, null, null, Now, "alice"), new ResponseExecutionStarted(ResponseId, Now, "executor"),
            new ResponseExecuted(ResponseId, NoDetails, Now, "executor"),
        ];

        Spec<Messages.ResponseAccepted>(ResponseProgress.Decide).Given(done).When(Accepted()).Then();
        Spec<Messages.ResponseExecutionStarted>(ResponseProgress.Decide).Given(done).When(Started(Now)).Then();
        Spec<Messages.ResponseExecuted>(ResponseProgress.Decide).Given(done).When(Executed()).Then();
        Spec<Messages.ResponseRejected>(ResponseProgress.Decide).Given(done)
            .When(new Messages.ResponseRejected(ResponseId, "t1", IncidentId, Now, "bob", "DECLINED")).Then();
        Spec<Messages.ResponseAccepted>(ResponseProgress.Decide).Given(done).When(Accepted() with { ResponseId = Guid.NewGuid() }).Then();
    }

    [Fact]
    public void An_execution_that_overtakes_its_decision_waits_for_it_so_history_never_reads_InProgress_before_Confirmed()
    {
        var confirmed = new ResponseAccepted(ResponseId, null, null, null, Now, "alice");

        Spec<Messages.ResponseExecutionStarted>(ResponseProgress.Decide).Given(Opened, Proposed).When(Started(Now)).ThenRefuses<DecisionNotYetRecorded>();
        Spec<Messages.ResponseExecuted>(ResponseProgress.Decide).Given(Opened, Proposed).When(Executed()).ThenRefuses<DecisionNotYetRecorded>();
        Spec<Messages.ResponseExecutionStarted>(ResponseProgress.Decide).Given(Opened, Proposed, confirmed).When(Started(Now))
            .Then(new ResponseExecutionStarted(ResponseId, Now, "executor"));
    }

    [Fact]
    public void An_undo_that_overtakes_the_completion_it_undoes_waits_for_it_and_a_repeat_changes_nothing()
    {
        var confirmed = new ResponseAccepted(ResponseId, null, null, null, Now, "alice");
        var completed = new ResponseExecuted(ResponseId, NoDetails, Now, "executor", StartedAt: Now);
        var later = Guid.NewGuid();
        var undo = new Messages.ResponseUndone(ResponseId, "t1", IncidentId, "ws-1", Now.AddMinutes(1), "executor", later,
            Messages.UndoReason.IsolationReplaced);

        Spec<Messages.ResponseUndone>(ResponseProgress.Decide).Given(Opened, Proposed, confirmed).When(undo).ThenRefuses<CompletionNotYetRecorded>();
        var events = Spec<Messages.ResponseUndone>(ResponseProgress.Decide).Given(Opened, Proposed, confirmed, completed).When(undo)
            .Then(new ResponseUndone(ResponseId, later, Messages.UndoReason.IsolationReplaced, Now.AddMinutes(1), "executor"));
        Spec<Messages.ResponseUndone>(ResponseProgress.Decide).Given([Opened, Proposed, confirmed, completed, .. events.Cast<IIncidentEvent>()])
            .When(undo).Then();
    }

    [Fact]
    public void An_outcome_that_overtakes_its_start_records_the_start_with_it_and_the_late_start_changes_nothing()
    {
        var confirmed = new ResponseAccepted(ResponseId, null, null, null, Now, "alice");
        var failed = new Messages.ResponseFailed(ResponseId, "t1", IncidentId, "ws-1", Now.AddSeconds(3), "executor", "ASSET_UNREACHABLE", "gone");

        var events = Spec<Messages.ResponseFailed>(ResponseProgress.Decide).Given(Opened, Proposed, confirmed).When(failed).Then(
            new ResponseFailed(ResponseId, "ASSET_UNREACHABLE", "gone", Now.AddSeconds(3), "executor", StartedAt: Now.AddSeconds(3)));

        IIncidentEvent[] done = [Opened, Proposed, confirmed, .. events.Cast<IIncidentEvent>()];
        Assert.Equal(ResponseStatus.Failed, StatusAfter(done));
        // History reads the one event as the start and then the outcome.
        Assert.Equal([typeof(ResponseExecutionStarted), typeof(ResponseFailed)], Incident.Steps((IIncidentEvent)events.Single()).Select(e => e.GetType()));
        Spec<Messages.ResponseExecutionStarted>(ResponseProgress.Decide).Given(done).When(Started(Now.AddSeconds(1))).Then();
    }

    [Fact]
    public void An_outcome_that_carries_its_start_records_InProgress_at_the_start_time_then_the_outcome_in_one_event()
    {
        var confirmed = new ResponseAccepted(ResponseId, null, null, null, Now, "alice");
        var executed = new Messages.ResponseExecuted(ResponseId, "t1", IncidentId, "ws-1", Now.AddSeconds(3), "executor", NoDetails,
            StartedAt: Now.AddSeconds(1));
        var recorded = new ResponseExecuted(ResponseId, NoDetails, Now.AddSeconds(3), "executor", StartedAt: Now.AddSeconds(1));

        Spec<Messages.ResponseExecuted>(ResponseProgress.Decide).Given(Opened, Proposed, confirmed).When(executed).Then(recorded);
        Assert.Equal([new ResponseExecutionStarted(ResponseId, Now.AddSeconds(1), "executor"), recorded with { StartedAt = null }],
            Incident.Steps(recorded));
        // History: InProgress at the start's time, then Completed, each a record of its own.
        var history = MdrMesh.Incidents.GettingHistory.IncidentHistory.Page(
            new IIncidentEvent[] { Opened, Proposed, confirmed, recorded }.Select((e, i) => (e, (long)i + 1)), _ => true, 0, 100);
        Assert.Equal([(Now.AddSeconds(1), "executor"), (Now.AddSeconds(3), "executor")], history.Skip(3).Select(r => (r.ChangedAt, r.ChangedBy)));
        Assert.Equal(["InProgress", "Completed"], history.Skip(3).Select(r => r.Changes.Single(c => c.Field == "status").After!.Value.GetString()));
        Assert.Equal(ResponseStatus.Completed, StatusAfter(Opened, Proposed, confirmed, recorded));
        // Redelivered after it was recorded: nothing again.
        Spec<Messages.ResponseExecuted>(ResponseProgress.Decide).Given(Opened, Proposed, confirmed, recorded).When(executed).Then();
    }

    [Fact]
    public void A_decision_that_arrives_after_the_execution_began_is_still_recorded()
    {
        var began = new ResponseExecutionStarted(ResponseId, Now, "executor");

        var confirmed = Spec<Messages.ResponseAccepted>(ResponseProgress.Decide).Given(Opened, Proposed, began).When(Accepted())
            .Then(new ResponseAccepted(ResponseId, null, null, null, Now, "alice"));

        var response = State([Opened, Proposed, began, .. confirmed.Cast<IIncidentEvent>()]).Response(ResponseId)!;
        Assert.Equal(ResponseStatus.InProgress, response.Status);
        Assert.Equal("alice", response.DecidedBy);
    }

    [Fact]
    public void A_completion_attaches_what_the_response_collected_once_in_the_same_event()
    {
        var artifact = new Messages.ResponseArtifact("ws-1-hosts.txt", "hosts", "127.0.0.1 localhost"u8.ToArray());
        var began = new ResponseExecutionStarted(ResponseId, Now, "executor");
        var confirmed = new ResponseAccepted(ResponseId, null, null, null, Now, "alice");

        var events = Spec<Messages.ResponseExecuted>(ResponseProgress.Decide).Given(Opened, Proposed, confirmed, began)
            .When(Executed() with { Artifact = artifact }).Then(events =>
            {
                var completed = Assert.IsType<ResponseExecuted>(Assert.Single(events));
                var attached = completed.Collected!;
                Assert.Equal((ResponseId, "ws-1-hosts.txt", "hosts", 19L, Origins.Soc, "executor", (string?)null),
                    (attached.AttachmentId, attached.FullName, attached.Caption, attached.FileSize, attached.Origin, attached.By, attached.ById));
                // History reads it as the completion and then the attachment.
                Assert.Equal([completed with { Collected = null }, attached], Incident.Steps(completed));
            });
        IIncidentEvent[] done = [Opened, Proposed, confirmed, began, .. events.Cast<IIncidentEvent>()];
        var incident = State(done);
        Assert.Equal(ResponseStatus.Completed, incident.Response(ResponseId)!.Status);
        Assert.Equal("ws-1-hosts.txt", Assert.Single(incident.Attachments).FullName);
        var history = MdrMesh.Incidents.GettingHistory.IncidentHistory.Page(done.Select((e, i) => (e, (long)i + 1)), _ => true, 0, 100);
        Assert.Equal(["incident_response", "incident_attachment"], history.Skip(4).Select(r => r.EntityType));
        Spec<Messages.ResponseExecuted>(ResponseProgress.Decide).Given(done).When(Executed() with { Artifact = artifact }).Then();
    }

    [Fact]
    public void Auto_acceptance_is_shown_as_the_setting_and_rule()
    {
        var accepted = new Messages.ResponseAccepted(ResponseId, "t1", Guid.NewGuid(), Now, "auto-accept", null, new Messages.AutoAcceptance(3, "ALL_TENANTS"));

        Assert.Equal("auto-accept setting v3 (ALL_TENANTS)", ResponseProgress.DecidedBy(accepted));
        Assert.Equal("alice", ResponseProgress.DecidedBy(accepted with { AutoAccepted = null, By = "alice" }));
    }

    [Fact]
    public void A_closed_incident_refuses_every_change()
    {
        IIncidentEvent[] closed = [Opened, Proposed, new IncidentClosed("True positive", "done", Now, "soc")];

        Spec<CloseIncidentCommand>(CloseIncident.Decide).Given(closed).When(new CloseIncidentCommand("FALSE_POSITIVE", "again", Now, Soc))
            .ThenRefuses<IncidentConflict>();
        Spec<ChangeStatusCommand>(ChangeStatus.Decide).Given(closed).When(new ChangeStatusCommand("Open", Now, Soc)).ThenRefuses<IncidentConflict>();
        Spec<ProposeResponseCommand>(ProposeResponse.Decide).Given(closed)
            .When(new ProposeResponseCommand(Guid.NewGuid(), "ws-1", new DisableIsolationParameters(), null, null, Now, Soc))
            .ThenRefuses<IncidentConflict>();
        Spec<AddCommentCommand>(Comments.Decide).Given(closed).When(new AddCommentCommand(Guid.NewGuid(), "late", Now, Soc))
            .ThenRefuses<IncidentConflict>();
        Spec<AddAttachmentCommand>(Attachments.Decide).Given(closed)
            .When(new AddAttachmentCommand(Guid.NewGuid(), "late.txt", null, 1, "00", "text/plain", Now, Soc)).ThenRefuses<IncidentConflict>();
    }

    [Fact]
    public void An_incident_opens_once_as_the_SOCs_or_the_customers()
    {
        var open = new OpenIncidentCommand(IncidentId, "t1", 7, "Miner", null, "HIGH", Opened.AffectedHosts, Opened.MitreTactics, Opened.MitreTechniques,
            null, null, false, Now, Soc);

        Spec<OpenIncidentCommand>((c, i) => OpenIncident.Decide(c, i)).When(open).Then(Opened with { ById = "c-soc" });
        Spec<OpenIncidentCommand>((c, i) => OpenIncident.Decide(c, i)).When(open with { Caller = Customer("FULL_ACCESS"), NoSla = true })
            .Then(Opened with { Origin = Origins.Customer, By = "Jane", ById = "c-FULL_ACCESS", NoSla = true });
        Spec<OpenIncidentCommand>((c, i) => OpenIncident.Decide(c, i)).Given(Opened).When(open).ThenRefuses<IncidentConflict>();
    }

    [Fact]
    public void A_status_changes_once_and_closing_names_the_resolution()
    {
        Spec<ChangeStatusCommand>(ChangeStatus.Decide).Given(Opened).When(new ChangeStatusCommand(IncidentStatus.OnHold, Now, Soc))
            .Then(new IncidentStatusChanged(IncidentStatus.OnHold, Now, "soc", "c-soc"));
        Spec<ChangeStatusCommand>(ChangeStatus.Decide).Given(Opened).When(new ChangeStatusCommand(IncidentStatus.Open, Now, Soc)).Then();
        Spec<CloseIncidentCommand>(CloseIncident.Decide).Given(Opened).When(new CloseIncidentCommand("TRUE_POSITIVE", "done", Now, Soc))
            .Then(new IncidentClosed("True positive", "done", Now, "soc", "c-soc"));
    }

    [Fact]
    public void Comments_and_files_are_marked_as_the_SOCs_or_the_customers_and_every_download_is_recorded()
    {
        var commentId = Guid.NewGuid();
        var fileId = Guid.NewGuid();
        var jane = Customer("INCIDENT_ACCESS");

        Spec<AddCommentCommand>(Comments.Decide).Given(Opened).When(new AddCommentCommand(commentId, "seen", Now, Soc))
            .Then(new CommentAdded(commentId, "seen", Now, "soc", "c-soc", Origins.Soc));
        Spec<AddCommentCommand>(Comments.Decide).Given(Opened).When(new AddCommentCommand(commentId, "seen", Now, jane))
            .Then(new CommentAdded(commentId, "seen", Now, "Jane", jane.Id, Origins.Customer));
        Spec<AddAttachmentCommand>(Attachments.Decide).Given(Opened)
            .When(new AddAttachmentCommand(fileId, "a.txt", "note", 1, "ab", "text/plain", Now, jane))
            .Then(new AttachmentAdded(fileId, "a.txt", "note", 1, "ab", "text/plain", Origins.Customer, Now, "Jane", jane.Id));
        Spec<DownloadAttachmentCommand>(Attachments.Decide)
            .Given(Opened, new AttachmentAdded(fileId, "a.txt", "note", 1, "ab", "text/plain", Origins.Customer, Now, "Jane", jane.Id),
                new IncidentClosed("True positive", "done", Now, "soc"))
            .When(new DownloadAttachmentCommand(fileId, Now.AddMinutes(1), Soc))
            .Then(new AttachmentDownloaded(fileId, Now.AddMinutes(1), "soc", "c-soc"));
    }

    [Fact]
    public void A_history_record_says_who_changed_what_from_what_to_what()
    {
        var before = State(Opened, Proposed, new ResponseExecutionStarted(ResponseId, Now, "executor"));
        var e = new ResponseFailed(ResponseId, "FILE_TOO_LARGE", "too big", Now.AddMinutes(1), "executor");
        var after = Incident.Evolve(before, e);

        var record = IncidentHistory.Describe(before, after, e, 5);

        Assert.Equal(("update", "incident_response", "executor"), (record.Operation, record.EntityType, record.ChangedBy));
        var status = Assert.Single(record.Changes, c => c.Field == "status");
        Assert.Equal(("InProgress", "Failed"), (status.Before!.Value.GetString(), status.After!.Value.GetString()));
        Assert.Equal("FILE_TOO_LARGE", System.Text.Json.JsonDocument.Parse(record.Snapshot).RootElement.GetProperty("details").GetProperty("reason_code").GetString());
    }

    [Fact]
    public void A_history_page_is_the_filtered_events_described_and_nothing_past_it_is_replayed()
    {
        var byJane = new CommentAdded(Guid.NewGuid(), "mine", Now, "Jane", "c-jane");
        var bySoc = new CommentAdded(Guid.NewGuid(), "theirs", Now, "soc", "c-soc");
        IIncidentEvent[] events = [Opened, Proposed, byJane, bySoc, byJane with { CommentId = Guid.NewGuid() }, bySoc with { CommentId = Guid.NewGuid() }];

        // Not Jane's: the opening (version 1), the proposal (2), soc's comments (4, 6); the second page of two is 4 and 6.
        var page = IncidentHistory.Page(Stream(events.Length), e => e.ById != "c-jane", skip: 2, take: 2);
        Assert.Equal([4L, 6L], page.Select(r => r.Version));
        Assert.All(page, r => Assert.Equal(("create", "incident_comment", "soc"), (r.Operation, r.EntityType, r.ChangedBy)));

        // The page ends at version 3: a stream that cannot be read past it is enough.
        Assert.Equal([2L, 3L], IncidentHistory.Page(Stream(3), _ => true, skip: 1, take: 2).Select(r => r.Version));

        IEnumerable<(IIncidentEvent, long)> Stream(int readable)
        {
            for (var i = 0; i < events.Length; i++)
                yield return i < readable ? (events[i], i + 1) : throw new InvalidOperationException("read past the page");
        }
    }

    [Fact]
    public void History_never_holds_the_isolation_password()
    {
        var incident = State(new IncidentOpened(Guid.NewGuid(), "t1", 1, "x", null, "LOW", ["ws-1"], [], [], null, null, "SOC", Now, "soc"));
        var isolate = new IsolateParameters(60, []).WithPassword(MdrMesh.Contracts.Isolation.IsolationPassword.Generate());
        var added = new ResponseProposed(Guid.NewGuid(), "ws-1", isolate, null, Now, "soc");

        var record = IncidentHistory.Describe(incident, Incident.Evolve(incident, added), added, 2);

        Assert.DoesNotContain(isolate.Password!, record.Snapshot);
        Assert.Contains(isolate.TaskId!, record.Snapshot);
    }

    [Fact]
    public void Pages_are_one_based_and_empty_past_the_end()
    {
        var items = Enumerable.Range(1, 5);

        Assert.Equal([3, 4], MdrMesh.ServiceDefaults.Paging.Page(items, 2, 2));
        Assert.Empty(MdrMesh.ServiceDefaults.Paging.Page(items, 4, 2));
    }

    [Fact]
    public void Only_the_author_by_connection_id_deletes_a_comment_even_when_another_connection_has_the_same_name()
    {
        var comment = new CommentAdded(Guid.NewGuid(), "mine", Now, "Jane", "c-1");
        var impostor = new Caller("c-2", "Jane", new HashSet<string> { "t1" }, new HashSet<string> { "FULL_ACCESS" });
        var spec = Spec<DeleteCommentCommand>(Comments.Decide).Given(Opened, Proposed, comment);

        spec.When(new DeleteCommentCommand(comment.CommentId, Now, impostor)).ThenRefuses<IncidentConflict>();
        spec.When(new DeleteCommentCommand(comment.CommentId, Now, impostor with { Id = "c-1" })).Then(new CommentDeleted(comment.CommentId, Now, "Jane", "c-1"));
        Assert.Equal("c-1", State(Opened, Proposed, comment).Comments.Single().AuthorId);
    }

    [Fact]
    public void History_records_the_connection_id_beside_the_name_and_none_for_the_system()
    {
        var before = State(Opened, Proposed);
        var byPerson = new ResponseRejected(ResponseId, "DECLINED", "no", Now, "Jane", "c-jane");
        var bySystem = new ResponseExecutionStarted(ResponseId, Now, "executor");

        Assert.Equal(("Jane", "c-jane"), Pair(IncidentHistory.Describe(before, Incident.Evolve(before, byPerson), byPerson, 3)));
        Assert.Equal(("executor", null), Pair(IncidentHistory.Describe(before, Incident.Evolve(before, bySystem), bySystem, 3)));

        static (string, string?) Pair(IncidentHistoryRecord r) => (r.ChangedBy, r.ChangedById);
    }

    [Fact]
    public void Decisions_from_the_approvals_service_keep_the_deciders_id_but_not_for_auto_acceptance()
    {
        var incident = Guid.NewGuid();
        var byPerson = new Messages.ResponseAccepted(ResponseId, "t1", incident, Now, "Jane", "ok", null, "c-jane");
        var byPolicy = byPerson with { By = "auto-accept", AutoAccepted = new Messages.AutoAcceptance(2, "ALL_TENANTS") };
        var rejected = new Messages.ResponseRejected(ResponseId, "t1", incident, Now, "Jane", Messages.RejectionReason.Declined, "no", "c-jane");

        Spec<Messages.ResponseAccepted>(ResponseProgress.Decide).Given(Opened, Proposed).When(byPerson)
            .Then(new ResponseAccepted(ResponseId, "ok", null, null, Now, "Jane", "c-jane"));
        Spec<Messages.ResponseAccepted>(ResponseProgress.Decide).Given(Opened, Proposed).When(byPolicy)
            .Then(new ResponseAccepted(ResponseId, "ok", 2, "ALL_TENANTS", Now, "auto-accept setting v2 (ALL_TENANTS)"));
        Spec<Messages.ResponseRejected>(ResponseProgress.Decide).Given(Opened, Proposed).When(rejected)
            .Then(new ResponseRejected(ResponseId, Messages.RejectionReason.Declined, "no", Now, "Jane", "c-jane"));
    }

    [Theory]
    [InlineData("SOC_OPERATOR", "t1", true)]
    [InlineData("FULL_ACCESS", "t1", true)]
    [InlineData("RESPONSE_MANAGEMENT", "t1", true)]
    [InlineData("INCIDENT_ACCESS", "t1", false)]
    [InlineData("FULL_ACCESS", "t2", false)]
    public void A_password_is_revealed_only_to_deciders_of_the_tenant_and_the_SOC(string rights, string tenant, bool reveals)
    {
        var isolation = Isolation(out var responseId);

        Spec<RevealPasswordsCommand>(PasswordReveal.Decide).Given(Opened, Proposed, isolation)
            .When(new RevealPasswordsCommand([responseId, ResponseId], Now, Customer(rights, tenant))).Then(events =>
            {
                Assert.Equal(reveals, events.Count == 1);
                Assert.All(events.Cast<IsolationPasswordRevealed>(), e => Assert.Equal((responseId, "Jane", $"c-{rights}"), (e.ResponseId, e.By, e.ById)));
            });
    }

    [Fact]
    public void A_connection_that_has_seen_a_password_is_not_recorded_again_but_another_connection_is()
    {
        var isolation = Isolation(out var responseId);
        var jane = Customer("FULL_ACCESS", "t1");
        var spec = Spec<RevealPasswordsCommand>(PasswordReveal.Decide).Given(Opened, Proposed, isolation);
        var seen = spec.When(new RevealPasswordsCommand([responseId], Now, jane)).Then(new IsolationPasswordRevealed(responseId, Now, "Jane", jane.Id));

        spec.Given([.. seen]).When(new RevealPasswordsCommand([responseId], Now.AddMinutes(1), jane)).Then();
        spec.When(new RevealPasswordsCommand([responseId], Now.AddMinutes(1), Customer("RESPONSE_MANAGEMENT", "t1"))).Then(events => Assert.Single(events));
    }

    [Fact]
    public void A_reveal_is_history_without_the_password_and_does_not_move_the_update_time()
    {
        var incident = State(Opened, Proposed, Isolation(out var responseId));
        var reveal = new IsolationPasswordRevealed(responseId, Now.AddHours(1), "Jane", "c-jane");

        var after = Incident.Evolve(incident, reveal);
        var record = IncidentHistory.Describe(incident, after, reveal, 9);

        Assert.Equal(incident.UpdatedAt, after.UpdatedAt);
        Assert.Equal(incident.Response(responseId)!.UpdatedAt, after.Response(responseId)!.UpdatedAt);
        Assert.Equal(("reveal", "isolation_password", "Jane", "c-jane"), (record.Operation, record.EntityType, record.ChangedBy, record.ChangedById));
        Assert.DoesNotContain("sealed", record.Snapshot);
        Assert.Contains(responseId.ToString(), record.Snapshot);
    }

    [Fact]
    public void A_hold_by_the_blast_radius_guard_is_history_once_the_response_stays_New_and_the_update_time_stays()
    {
        var held = new Messages.AutoAcceptanceHeld(ResponseId, "t1", IncidentId, "blast-radius guard, 20 automatic drastic acceptances within 10 minutes",
            20, TimeSpan.FromMinutes(10), Now.AddMinutes(1));
        var spec = Spec<Messages.AutoAcceptanceHeld>(ResponseProgress.Decide).Given(Opened, Proposed);
        var recorded = spec.When(held).Then(new ResponseAutoAcceptanceHeld(ResponseId, held.Reason, held.At,
            "waiting for a person: blast-radius guard, 20 automatic drastic acceptances within 10 minutes"));

        var before = State(Opened, Proposed);
        var after = Incident.Evolve(before, (IIncidentEvent)recorded[0]);
        var record = IncidentHistory.Describe(before, after, (IIncidentEvent)recorded[0], 3);
        Assert.False(Incident.Changes((IIncidentEvent)recorded[0]));
        Assert.Equal((before.UpdatedAt, ResponseStatus.New), (after.UpdatedAt, after.Response(ResponseId)!.Status));
        Assert.Equal(("update", "incident_response", null), (record.Operation, record.EntityType, record.ChangedById));
        Assert.StartsWith("waiting for a person: blast-radius guard", record.ChangedBy);
        Assert.Equal("New", System.Text.Json.JsonDocument.Parse(record.Snapshot).RootElement.GetProperty("status").GetString());
        Assert.Empty(record.Changes);

        // A redelivery records nothing again; nor does a hold that arrives after a person decided.
        spec.Given([.. recorded]).When(held).Then();
        Spec<Messages.AutoAcceptanceHeld>(ResponseProgress.Decide).Given(Opened, Proposed, new ResponseAccepted(ResponseId, "go", null, null, Now, "Jane", "c-jane"))
            .When(held).Then();
    }

    [Fact]
    public void The_soc_proposing_an_isolation_is_recorded_as_having_read_its_password()
    {
        var isolate = new IsolateParameters(60, []).WithPassword(MdrMesh.Contracts.Isolation.IsolationPassword.Generate()).WithoutPassword();
        var propose = new ProposeResponseCommand(Guid.NewGuid(), "ws-1", isolate, null, "k:sealed", Now, Soc);
        var proposed = new ResponseProposed(propose.ResponseId, "ws-1", isolate, null, Now, "soc", "c-soc", "k:sealed", "HIGH", Opened.MitreTechniques);
        var spec = Spec<ProposeResponseCommand>(ProposeResponse.Decide).Given(Opened, Proposed);

        // One event, which the incident and its history read as the proposal and then the reveal.
        var recorded = spec.When(propose).Then(proposed with { RevealedToProposer = true });
        Assert.Equal([proposed, new IsolationPasswordRevealed(propose.ResponseId, Now, "soc", "c-soc")], Incident.Steps((IIncidentEvent)recorded.Single()));
        IIncidentEvent[] done = [Opened, Proposed, .. recorded.Cast<IIncidentEvent>()];
        Assert.Equal(["c-soc"], done.Aggregate((Incident?)null, Incident.Evolve)!.Response(propose.ResponseId)!.RevealedTo);
        var history = MdrMesh.Incidents.GettingHistory.IncidentHistory.Page(done.Select((e, i) => (e, (long)i + 1)), _ => true, 0, 100);
        Assert.Equal(["create", "create", "reveal"], history.TakeLast(3).Select(r => r.Operation));
        Assert.Equal(("soc", "c-soc"), (history[^1].ChangedBy, history[^1].ChangedById));

        spec.When(propose with { SealedPassword = null }).Then(proposed with { SealedPassword = null });
    }

    [Fact]
    public void Every_string_of_an_incident_and_of_its_filters_has_a_bound_named_in_the_error()
    {
        var longer = (int n) => new string('x', n + 1);
        var request = new CreateIncidentRequest("Miner", null, ["WS-1:ws-1", longer(512)], null, null, longer(16_384),
            ["TA0001", longer(256)], [longer(256)], longer(256));

        var fields = OpenIncident.Validate(request, Soc).Select(e => e.Field);
        var filter = new IncidentFilter(AssetIds: [longer(256)], Statuses: [""], SearchPhrase: longer(1024), TenantsNames: [longer(128)]).Validate();

        Assert.Equal(["affected_hosts[1]", "description", "mitre_tactics[1]", "mitre_techniques[0]", "detection_technology"], fields);
        Assert.Equal(["statuses[0]", "asset_ids[0]", "tenants_names[0]", "search_phrase"], filter.Select(e => e.Field));
        Assert.Empty(OpenIncident.Validate(request with { AffectedHosts = ["ws-1"], Description = "d", MitreTactics = ["TA0001"], MitreTechniques = ["T1496"],
            DetectionTechnology = "EDR" }, Soc));
    }

    private static ResponseProposed Isolation(out Guid responseId)
    {
        responseId = Guid.NewGuid();
        var isolate = new IsolateParameters(60, []).WithPassword(MdrMesh.Contracts.Isolation.IsolationPassword.Generate()).WithoutPassword();
        return new ResponseProposed(responseId, "ws-1", isolate, null, Now, "soc", "c-soc", "k:sealed");
    }
}
