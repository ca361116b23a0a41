using MdrMesh.Contracts.Messages;
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

namespace MdrMesh.Services.Tests;

public class IncidentDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid ResponseId = Guid.NewGuid();

    private static Incident WithResponse()
    {
        var opened = new IncidentOpened(Guid.NewGuid(), "t1", 7, "Miner", null, "HIGH", ["WS-1:ws-1"], [], [], null, null, "SOC", Now, "soc");
        var incident = Incident.Create(opened);
        return incident.Apply(new ResponseAdded(ResponseId, "ws-1", new DisableIsolationParameters(), null, Now, "soc"));
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
        var statuses = new List<string> { incident.Response(ResponseId)!.Status };
        foreach (IIncidentEvent e in new IIncidentEvent[]
                 {
                     new ResponseConfirmed(ResponseId, null, 1, "ALL_TENANTS", Now, "auto"),
                     new ResponseExecutionBegan(ResponseId, Now, "executor"),
                     new ResponseCompleted(ResponseId, new Dictionary<string, string>(), Now, "executor"),
                 })
        {
            incident = Record(incident, e);
            statuses.Add(incident.Response(ResponseId)!.Status);
        }

        Assert.Equal(["New", "Confirmed", "InProgress", "Completed"], statuses);
    }

    [Fact]
    public void Repeated_and_late_reports_change_nothing()
    {
        var confirmed = new ResponseConfirmed(ResponseId, null, null, null, Now, "alice");
        var began = new ResponseExecutionBegan(ResponseId, Now, "executor");
        var completed = new ResponseCompleted(ResponseId, new Dictionary<string, string>(), Now, "executor");
        var done = new IIncidentEvent[] { confirmed, began, completed }.Aggregate(WithResponse(), Record);

        Assert.Empty(ResponseProgress.Decide(done, confirmed, ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, began, ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, completed, ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, new ResponseDeclined(ResponseId, "DECLINED", null, Now, "bob"), ResponseId));
        Assert.Empty(ResponseProgress.Decide(done, confirmed, Guid.NewGuid()));
    }

    [Fact]
    public void A_decision_that_arrives_after_the_execution_began_is_still_recorded()
    {
        var began = Record(WithResponse(), new ResponseExecutionBegan(ResponseId, Now, "executor"));

        var confirmed = Record(began, new ResponseConfirmed(ResponseId, null, null, null, Now, "alice"));

        Assert.Equal("InProgress", confirmed.Response(ResponseId)!.Status);
        Assert.Equal("alice", confirmed.Response(ResponseId)!.DecidedBy);
    }

    [Fact]
    public void Auto_acceptance_is_shown_as_the_setting_and_rule()
    {
        var accepted = new ResponseAccepted(ResponseId, "t1", Guid.NewGuid(), Now, "auto-accept", null, new AutoAcceptance(3, "ALL_TENANTS"));

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
            ProposeResponse.Decide(closed, new ResponseAdded(Guid.NewGuid(), "ws-1", new DisableIsolationParameters(), null, Now, "soc")));
    }

    [Fact]
    public void A_history_record_says_who_changed_what_from_what_to_what()
    {
        var before = WithResponse();
        var e = new ResponseExecutionFailed(ResponseId, "FILE_TOO_LARGE", "too big", Now.AddMinutes(1), "executor");
        var after = IncidentHistory.Evolve(Record(before, new ResponseExecutionBegan(ResponseId, Now, "executor")), e);

        var record = IncidentHistory.Describe(Record(before, new ResponseExecutionBegan(ResponseId, Now, "executor")), after, e, 5);

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
        var added = new ResponseAdded(Guid.NewGuid(), "ws-1", isolate, null, Now, "soc");

        var record = IncidentHistory.Describe(incident, incident.Apply(added), added, 2);

        Assert.DoesNotContain(isolate.Password!, record.Snapshot);
        Assert.Contains(isolate.TaskId!, record.Snapshot);
    }

    [Fact]
    public void Filters_match_on_statuses_types_assets_tenants_times_and_phrase()
    {
        var incident = WithResponse();

        Assert.True(new IncidentFilter(Statuses: ["Open"], ResponseStatuses: ["New"], ResponseTypes: ["DISABLE_ISOLATION"], AssetIds: ["ws-1"],
            TenantsNames: ["t1"], SearchPhrase: "mine", MinCreationTime: Now.ToUnixTimeMilliseconds()).Matches(incident));
        Assert.False(new IncidentFilter(Statuses: ["Closed"]).Matches(incident));
        Assert.False(new IncidentFilter(ResponseStatuses: ["Completed"]).Matches(incident));
        Assert.False(new IncidentFilter(AssetIds: ["ws-9"]).Matches(incident));
        Assert.False(new IncidentFilter(TenantsNames: ["t2"]).Matches(incident));
        Assert.False(new IncidentFilter(MaxUpdateTime: Now.ToUnixTimeMilliseconds() - 1).Matches(incident));
        Assert.False(new IncidentFilter(SearchPhrase: "ransomware").Matches(incident));
    }

    [Fact]
    public void Pages_are_one_based_and_empty_past_the_end()
    {
        var items = Enumerable.Range(1, 5);

        Assert.Equal([3, 4], MdrMesh.ServiceDefaults.Paging.Page(items, 2, 2));
        Assert.Empty(MdrMesh.ServiceDefaults.Paging.Page(items, 4, 2));
    }
}
