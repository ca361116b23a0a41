using System.Text.Json.Nodes;
using Marten;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Executor.Executing;
using MdrMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>A response's whole life through the API, with every service running on real PostgreSQL and RabbitMQ.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ResponsePipelineTests(Infrastructure infrastructure) : IAsyncLifetime
{
    private const string AutoTenant = "tenant-auto";
    private const string ManualTenant = "tenant-manual";
    private const string OtherManualTenant = "tenant-manual-2";
    private Mesh _mesh = null!;

    public async Task InitializeAsync()
    {
        _mesh = await Mesh.StartAsync(infrastructure, Flow.FleetJson(AutoTenant, ManualTenant, OtherManualTenant));
        await _mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { AutoTenant } }, caller: "customer-admin");
    }

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    [Fact]
    public async Task An_auto_accepted_isolation_completes_and_history_names_the_setting_that_accepted_it()
    {
        var incident = await _mesh.OpenIncidentAsync(AutoTenant);

        var response = await _mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });

        var done = await _mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Equal(36, done["parameters"]!["task_id"]!.GetValue<string>().Length);
        Assert.Equal(
            [("New", "soc"), ("Confirmed", "auto-accept setting v1 (TENANT:tenant-auto)"), ("InProgress", "executor"), ("Completed", "executor")],
            await _mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_response_confirmed_by_a_person_completes_with_the_outcome_details()
    {
        var incident = await _mesh.OpenIncidentAsync(ManualTenant);
        var response = await _mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        Assert.Equal("New", (await _mesh.ResponseAsync(incident, response))["status"]!.GetValue<string>());

        await _mesh.DecideAsync(response, "Confirmed", "Go ahead", "alice");

        var done = await _mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Equal("4096", done["details"]!["size_bytes"]!.GetValue<string>()); // the second tenant's invoice
        Assert.Equal("Go ahead", done["comment"]!.GetValue<string>());
        Assert.Contains(("Confirmed", "alice"), await _mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_declined_response_is_never_executed()
    {
        var incident = await _mesh.OpenIncidentAsync(ManualTenant);
        var declined = await _mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await _mesh.DecideAsync(declined, "Declined", "Not on a CEO laptop", "bob");
        await _mesh.WaitForStatusAsync(incident, declined, "Declined");

        // A later response through the same pipeline completing shows the earlier one had its chance.
        var later = await _mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { });
        await _mesh.DecideAsync(later, "Confirmed", "ok", "bob");
        await _mesh.WaitForStatusAsync(incident, later, "Completed");

        Assert.Equal("Declined", (await _mesh.ResponseAsync(incident, declined))["status"]!.GetValue<string>());
        await using var executor = _mesh.Service("Executor").Services.GetRequiredService<IDocumentStore>().QuerySession(ManualTenant);
        Assert.Null(await executor.LoadAsync<Execution>(Guid.Parse(declined)));
        Assert.Equal([("New", "soc"), ("Declined", "bob")], await _mesh.ResponseHistoryAsync(incident, declined));
    }

    [Fact]
    public async Task A_failed_execution_shows_failed_with_its_reason_in_history()
    {
        var incident = await _mesh.OpenIncidentAsync(AutoTenant);

        var response = await _mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\images\disk.iso", max_file_size_mb = 10 });

        var failed = await _mesh.WaitForStatusAsync(incident, response, "Failed");
        Assert.Equal("FILE_TOO_LARGE", failed["details"]!["reason_code"]!.GetValue<string>());
        var last = (await _mesh.HistoryAsync(incident)).Last()!;
        Assert.Equal("Failed", last["entity"]!["incident_response"]!["status"]!.GetValue<string>());
        Assert.Contains("over the limit of 10 MB", last["entity"]!["incident_response"]!["details"]!["reason"]!.GetValue<string>());
        Assert.Contains(last["changes"]!.AsArray(), c => c!["field"]!.GetValue<string>() == "status"
            && c["before"]!.GetValue<string>() == "InProgress" && c["after"]!.GetValue<string>() == "Failed");
    }

    [Fact]
    public async Task Closing_an_incident_declines_its_waiting_responses_and_refuses_new_ones()
    {
        var incident = await _mesh.OpenIncidentAsync(ManualTenant);
        var first = await _mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        var second = await _mesh.ProposeAsync(incident, "ISOLATE", new { }, asset: "ws-2");
        await _mesh.DecideAsync(second, "Confirmed", "Isolate it", "alice");
        await _mesh.WaitForStatusAsync(incident, second, "Completed");

        var closed = await _mesh.OkAsync("incidents/close", new { incident_id = incident, resolution_status = "TRUE_POSITIVE", summary = "Contained" });

        Assert.Equal("Closed", closed["status"]!.GetValue<string>());
        Assert.Equal("True positive", closed["resolution"]!.GetValue<string>());
        var declined = await _mesh.WaitForStatusAsync(incident, first, "Declined");
        Assert.Contains("incident was closed", declined["comment"]!.GetValue<string>());
        Assert.Equal("Completed", (await _mesh.ResponseAsync(incident, second))["status"]!.GetValue<string>());
        var (status, problem) = await _mesh.CallAsync("responses/create",
            new { incident_id = incident, asset_id = "ws-1", type = "DISABLE_ISOLATION", parameters = new { } });
        Assert.Equal(409, status);
        Assert.Contains("closed", problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_response_nobody_decides_is_declined_when_the_deadline_passes()
    {
        var incident = await _mesh.OpenIncidentAsync(ManualTenant);
        var response = await _mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Eventually.ReturnsAsync(() => ApprovalsKnowsAsync(response), known => known, "the approvals service knows the response");

        _mesh.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        var declined = await _mesh.WaitForStatusAsync(incident, response, "Declined");
        Assert.Contains("no decision by the deadline", declined["comment"]!.GetValue<string>());
        Assert.Equal([("New", "soc"), ("Declined", "mdrmesh")], await _mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_response_is_decided_once_and_a_second_decision_is_a_conflict()
    {
        var incident = await _mesh.OpenIncidentAsync(ManualTenant);
        var response = await _mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { });
        await _mesh.DecideAsync(response, "Declined", "no", "alice");

        var (status, problem) = await _mesh.CallAsync("response/update", new { response_id = response, status = "Confirmed", comment = "yes" }, caller: "bob");

        Assert.Equal(409, status);
        Assert.Contains("already Declined, by alice", problem!["title"]!.GetValue<string>() + problem["detail"]!.GetValue<string>());
        await _mesh.WaitForStatusAsync(incident, response, "Declined");
    }

    [Fact]
    public async Task A_decision_on_a_response_the_approvals_service_does_not_know_is_answered_at_once_with_when_to_retry()
    {
        var (clientId, token) = await _mesh.TokenAsync("alice");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/response/update")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { response_id = Guid.NewGuid().ToString(), status = "Confirmed", comment = "go" }),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");

        using var answer = await _mesh.Http.SendAsync(request);

        // Not held waiting for a proposal that may be in flight: a 404 that says when to send it again.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), answer.Headers.RetryAfter?.Delta);
        Assert.Contains("send the decision again after Retry-After", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deciding_responses_of_several_tenants_at_once_is_all_or_nothing()
    {
        var manual = await _mesh.OpenIncidentAsync(ManualTenant);
        var other = await _mesh.OpenIncidentAsync(OtherManualTenant);
        var pending = await _mesh.ProposeAsync(manual, "DISABLE_ISOLATION", new { });
        var elsewhere = await _mesh.ProposeAsync(other, "DISABLE_ISOLATION", new { });
        var decided = await _mesh.ProposeAsync(other, "DISABLE_ISOLATION", new { }, asset: "ws-2");
        await _mesh.DecideAsync(decided, "Declined", "no", "alice");

        var (status, problem) = await _mesh.CallAsync("responses/update",
            new { responses_ids = new[] { pending, elsewhere, decided }, status = "Confirmed", comment = "all of them" }, caller: "bob");

        Assert.Equal(409, status);
        Assert.Contains("already Declined", problem!["detail"]!.GetValue<string>());
        Assert.Equal(DecisionStatus.New, (await DecisionAsync(ManualTenant, pending))!.Status);
        Assert.Equal(DecisionStatus.New, (await DecisionAsync(OtherManualTenant, elsewhere))!.Status);

        var both = await _mesh.OkAsync("responses/update", new { responses_ids = new[] { pending, elsewhere }, status = "Confirmed", comment = "these" }, "bob");

        Assert.All(both.AsArray(), r => Assert.Equal("Confirmed", r!["status"]!.GetValue<string>()));
        // Written in one session, each in its own tenant: the decision documents sit in their tenants.
        Assert.Equal(DecisionStatus.Confirmed, (await DecisionAsync(ManualTenant, pending))!.Status);
        Assert.Equal(DecisionStatus.Confirmed, (await DecisionAsync(OtherManualTenant, elsewhere))!.Status);
        Assert.Null(await DecisionAsync(ManualTenant, elsewhere));
        await _mesh.WaitForStatusAsync(manual, pending, "Completed");
        await _mesh.WaitForStatusAsync(other, elsewhere, "Completed");
    }

    private async Task<Decision?> DecisionAsync(string tenant, string responseId)
    {
        await using var query = _mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession(tenant);
        return await query.LoadAsync<Decision>(Guid.Parse(responseId));
    }

    [Fact]
    public async Task A_bad_proposal_is_a_problem_naming_every_bad_field()
    {
        var incident = await _mesh.OpenIncidentAsync(ManualTenant);

        var (status, problem) = await _mesh.CallAsync("responses/create", new
        {
            incident_id = incident, asset_id = "ws-1", type = "ISOLATE",
            parameters = new { isolation_term_seconds = 0, exclusion_rules = new[] { new { direction = "Both", protocol = 2 } } },
        });

        Assert.Equal(400, status);
        var errors = problem!["errors"]!.AsObject();
        Assert.Contains("parameters.isolation_term_seconds", errors.Select(e => e.Key));
        Assert.Contains("parameters.exclusion_rules[0].protocol", errors.Select(e => e.Key));
    }

    [Fact]
    public async Task A_response_on_an_asset_outside_the_incident_is_refused()
    {
        var incident = await _mesh.OpenIncidentAsync(ManualTenant);

        var (status, problem) = await _mesh.CallAsync("responses/create",
            new { incident_id = incident, asset_id = "dc-9", type = "DISABLE_ISOLATION", parameters = new { } });

        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]!["asset_id"]);
    }

    private async Task<bool> ApprovalsKnowsAsync(string responseId)
    {
        await using var query = _mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await query.Query<Decision>().AnyAsync(d => d.AnyTenant() && d.Id == Guid.Parse(responseId));
    }
}
