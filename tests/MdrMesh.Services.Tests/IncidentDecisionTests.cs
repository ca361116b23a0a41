using Messages = MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.Incidents;
using MdrMesh.Incidents.ChangingStatus;
using MdrMesh.Incidents.ClosingIncident;
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
    private static readonly Guid ResponseId = Guid.NewGuid();

    private static Incident WithResponse()
    {
        var opened = new IncidentOpened(Guid.NewGuid(), "t1", 7, "Miner", null, "HIGH", ["WS-1:ws-1"], [], [], null, null, "SOC", Now, "soc");
        var incident = Incident.Create(opened);
        return incident.Apply(new ResponseProposed(ResponseId, "ws-1", new DisableIsolationParameters(), null, Now, "soc"));
    }

    private static Incident Record(Incident incident, IIncidentEvent e)
    {
        var events = ResponseProgress.Decide(incident, e, ResponseId);
        return events.Aggregate(incident, IncidentHistory.Evolve);
    }

    [Fact]
    public void A_response_goes_New_Confirmed_InProgress_Completed()
    {
        var incident = WithResponse();
        var statuses = new List<ResponseStatus> { incident.Response(ResponseId)!.Status };
        foreach (IIncidentEvent e in new IIncidentEvent[]
                 {
                     new ResponseAccepted(ResponseId, null, 1, "ALL_TENANTS", Now, "auto"),
                     new ResponseExecutionStarted(ResponseId, Now, "executor"),
                     new ResponseExecuted(ResponseId, new Dictionary<string, string>(), Now, "executor"),
                 })
        {
            incident = Record(incident, e);
            statuses.Add(incident.Response(ResponseId)!.Status);
        }

        Assert.Equal([ResponseStatus.New, ResponseStatus.Confirmed, ResponseStatus.InProgress, ResponseStatus.Completed], statuses);
    }

    [Fact]
    public void Repeated_and_late_reports_change_nothing()
    {
        var confirmed = new ResponseAccepted(ResponseId, null, null, null, Now, "alice");
        var began = new ResponseExecutionStarted(ResponseId, Now, "executor");
        var completed = new ResponseExecuted(ResponseId, new Dictionary<string, string>(), Now, "executor");
        var done = new IIncidentEvent[] { confirmed, began, completed }.Aggregate(WithResponse(), Record);

        Assert.Empty(ResponseProgress.Decide(done, confirmed, ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, began, ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, completed, ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, new ResponseRejected(ResponseId, "DECLINED", null, Now, "bob"), ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, confirmed, Guid.NewGuid()));
    }

    [Fact]
    public void An_outcome_that_overtakes_its_start_records_the_start_first_and_the_late_start_changes_nothing()
    {
        var confirmed = Record(WithResponse(), new ResponseAccepted(ResponseId, null, null, null, Now, "alice"));
        var failed = new ResponseFailed(ResponseId, "ASSET_UNREACHABLE", "gone", Now.AddSeconds(3), "executor");

        var events = ResponseProgress.Decide(confirmed, failed, ResponseId);

        Assert.Equal([typeof(ResponseExecutionStarted), typeof(ResponseFailed)], events.Select(e => e.GetType()));
        var done = events.Aggregate(confirmed, IncidentHistory.Evolve);
        Assert.Equal(ResponseStatus.Failed, done.Response(ResponseId)!.Status);
        Assert.Empty(ResponseProgress.Decide(done, new ResponseExecutionStarted(ResponseId, Now.AddSeconds(1), "executor"), ResponseId));
    }

    [Fact]
    public void A_decision_that_arrives_after_the_execution_began_is_still_recorded()
    {
        var began = Record(WithResponse(), new ResponseExecutionStarted(ResponseId, Now, "executor"));

        var confirmed = Record(began, new ResponseAccepted(ResponseId, null, null, null, Now, "alice"));

        Assert.Equal(ResponseStatus.InProgress, confirmed.Response(ResponseId)!.Status);
        Assert.Equal("alice", confirmed.Response(ResponseId)!.DecidedBy);
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
        var closed = WithResponse().Apply(new IncidentClosed("True positive", "done", Now, "soc"));

        Assert.Throws<IncidentConflict>(() => CloseIncident.Decide(closed, new IncidentClosed("False positive", "again", Now, "soc")));
        Assert.Throws<IncidentConflict>(() => ChangeStatus.Decide(closed, new IncidentStatusChanged("Open", Now, "soc")));
        Assert.Throws<IncidentConflict>(() =>
            ProposeResponse.Decide(closed, new ResponseProposed(Guid.NewGuid(), "ws-1", new DisableIsolationParameters(), null, Now, "soc")));
    }

    [Fact]
    public void A_history_record_says_who_changed_what_from_what_to_what()
    {
        var before = WithResponse();
        var e = new ResponseFailed(ResponseId, "FILE_TOO_LARGE", "too big", Now.AddMinutes(1), "executor");
        var after = IncidentHistory.Evolve(Record(before, new ResponseExecutionStarted(ResponseId, Now, "executor")), e);

        var record = IncidentHistory.Describe(Record(before, new ResponseExecutionStarted(ResponseId, Now, "executor")), after, e, 5);

        Assert.Equal(("update", "incident_response", "executor"), (record.Operation, record.EntityType, record.ChangedBy));
        var status = Assert.Single(record.Changes, c => c.Field == "status");
        Assert.Equal(("InProgress", "Failed"), (status.Before!.Value.GetString(), status.After!.Value.GetString()));
        Assert.Equal("FILE_TOO_LARGE", System.Text.Json.JsonDocument.Parse(record.Snapshot).RootElement.GetProperty("details").GetProperty("reason_code").GetString());
    }

    [Fact]
    public void History_never_holds_the_isolation_password()
    {
        var incident = Incident.Create(new IncidentOpened(Guid.NewGuid(), "t1", 1, "x", null, "LOW", ["ws-1"], [], [], null, null, "SOC", Now, "soc"));
        var isolate = new IsolateParameters(60, []).WithPassword(MdrMesh.Contracts.Isolation.IsolationPassword.Generate());
        var added = new ResponseProposed(Guid.NewGuid(), "ws-1", isolate, null, Now, "soc");

        var record = IncidentHistory.Describe(incident, incident.Apply(added), added, 2);

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

    private static readonly Caller Soc = new("c-soc", "soc", null, new HashSet<string> { "SOC_OPERATOR" });

    private static Caller Customer(string rights, string tenant = "t1") => new($"c-{rights}", "Jane", new HashSet<string> { tenant }, new HashSet<string> { rights });

    [Fact]
    public void Only_the_author_by_connection_id_deletes_a_comment_even_when_another_connection_has_the_same_name()
    {
        var comment = new MdrMesh.Incidents.Commenting.CommentAdded(Guid.NewGuid(), "mine", Now, "Jane", "c-1");
        var incident = WithResponse().Apply(comment);
        var byImpostor = new MdrMesh.Incidents.Commenting.CommentDeleted(comment.CommentId, Now, "Jane", "c-2");

        Assert.Throws<IncidentConflict>(() => MdrMesh.Incidents.Commenting.Comments.Delete(incident, byImpostor, "c-2"));
        Assert.Single(MdrMesh.Incidents.Commenting.Comments.Delete(incident, byImpostor with { ById = "c-1" }, "c-1"));
        Assert.Equal("c-1", incident.Comments.Single().AuthorId);
    }

    [Fact]
    public void History_records_the_connection_id_beside_the_name_and_none_for_the_system()
    {
        var before = WithResponse();
        var byPerson = new ResponseRejected(ResponseId, "DECLINED", "no", Now, "Jane", "c-jane");
        var bySystem = new ResponseExecutionStarted(ResponseId, Now, "executor");

        Assert.Equal(("Jane", "c-jane"), Pair(IncidentHistory.Describe(before, IncidentHistory.Evolve(before, byPerson), byPerson, 3)));
        Assert.Equal(("executor", null), Pair(IncidentHistory.Describe(before, IncidentHistory.Evolve(before, bySystem), bySystem, 3)));

        static (string, string?) Pair(IncidentHistoryRecord r) => (r.ChangedBy, r.ChangedById);
    }

    [Fact]
    public void Decisions_from_the_approvals_service_keep_the_deciders_id_but_not_for_auto_acceptance()
    {
        var incident = Guid.NewGuid();
        var byPerson = new Messages.ResponseAccepted(ResponseId, "t1", incident, Now, "Jane", "ok", null, "c-jane");
        var byPolicy = byPerson with { By = "auto-accept", AutoAccepted = new Messages.AutoAcceptance(2, "ALL_TENANTS") };
        var rejected = new Messages.ResponseRejected(ResponseId, "t1", incident, Now, "Jane", Messages.RejectionReason.Declined, "no", "c-jane");

        Assert.Equal(("Jane", "c-jane"), (ResponseProgress.Confirmed(byPerson).By, ResponseProgress.Confirmed(byPerson).ById));
        Assert.Null(ResponseProgress.Confirmed(byPolicy).ById);
        Assert.Equal("c-jane", ResponseProgress.Declined(rejected).ById);
    }

    [Theory]
    [InlineData("SOC_OPERATOR", "t1", true)]
    [InlineData("FULL_ACCESS", "t1", true)]
    [InlineData("RESPONSE_MANAGEMENT", "t1", true)]
    [InlineData("INCIDENT_ACCESS", "t1", false)]
    [InlineData("FULL_ACCESS", "t2", false)]
    public void A_password_is_revealed_only_to_deciders_of_the_tenant_and_the_SOC(string rights, string tenant, bool reveals)
    {
        var incident = WithIsolation(out var responseId);

        var events = PasswordReveal.Decide(incident, [responseId, ResponseId], Customer(rights, tenant), Now);

        Assert.Equal(reveals, events.Count == 1);
        Assert.All(events.Cast<IsolationPasswordRevealed>(), e => Assert.Equal((responseId, "Jane", $"c-{rights}"), (e.ResponseId, e.By, e.ById)));
    }

    [Fact]
    public void A_connection_that_has_seen_a_password_is_not_recorded_again_but_another_connection_is()
    {
        var incident = WithIsolation(out var responseId);
        var jane = Customer("FULL_ACCESS", "t1");
        var seen = PasswordReveal.Decide(incident, [responseId], jane, Now).Aggregate(incident, IncidentHistory.Evolve);

        Assert.Empty(PasswordReveal.Decide(seen, [responseId], jane, Now.AddMinutes(1)));
        Assert.Single(PasswordReveal.Decide(seen, [responseId], Customer("RESPONSE_MANAGEMENT", "t1"), Now.AddMinutes(1)));
    }

    [Fact]
    public void A_reveal_is_history_without_the_password_and_does_not_move_the_update_time()
    {
        var incident = WithIsolation(out var responseId);
        var reveal = new IsolationPasswordRevealed(responseId, Now.AddHours(1), "Jane", "c-jane");

        var after = IncidentHistory.Evolve(incident, reveal);
        var record = IncidentHistory.Describe(incident, after, reveal, 9);

        Assert.Equal(incident.UpdatedAt, after.UpdatedAt);
        Assert.Equal(incident.Response(responseId)!.UpdatedAt, after.Response(responseId)!.UpdatedAt);
        Assert.Equal(("reveal", "isolation_password", "Jane", "c-jane"), (record.Operation, record.EntityType, record.ChangedBy, record.ChangedById));
        Assert.DoesNotContain("sealed", record.Snapshot);
        Assert.Contains(responseId.ToString(), record.Snapshot);
    }

    [Fact]
    public void The_soc_proposing_an_isolation_is_recorded_as_having_read_its_password()
    {
        var incident = WithResponse();
        var isolate = new IsolateParameters(60, []).WithPassword(MdrMesh.Contracts.Isolation.IsolationPassword.Generate()).WithoutPassword();
        var added = new ResponseProposed(Guid.NewGuid(), "ws-1", isolate, null, Now, "soc", "c-soc", "k:sealed");

        var events = ProposeResponse.Decide(incident, added, Soc);

        Assert.Equal([typeof(ResponseProposed), typeof(IsolationPasswordRevealed)], events.Select(e => e.GetType()));
        Assert.Single(ProposeResponse.Decide(incident, added with { SealedPassword = null }, Soc));
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

    private static Incident WithIsolation(out Guid responseId)
    {
        responseId = Guid.NewGuid();
        var isolate = new IsolateParameters(60, []).WithPassword(MdrMesh.Contracts.Isolation.IsolationPassword.Generate()).WithoutPassword();
        return WithResponse().Apply(new ResponseProposed(responseId, "ws-1", isolate, null, Now, "soc", "c-soc", "k:sealed"));
    }
}
