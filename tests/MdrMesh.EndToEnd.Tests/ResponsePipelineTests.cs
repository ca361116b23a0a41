using Marten;
using MdrMesh.Approvals.Deciding;
using MdrMesh.Executor.Executing;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>A response's whole life through the API, with every service running on real PostgreSQL and RabbitMQ.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ResponsePipelineTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson(AutoTenant, ManualTenant, OtherManualTenant))
{
    private const string AutoTenant = "tenant-auto";
    private const string ManualTenant = "tenant-manual";
    private const string OtherManualTenant = "tenant-manual-2";

    protected override async Task SetUpAsync()
    {
        await Mesh.OkAsync("auto_accept/set", new { mode = "SELECTED_TENANTS", tenant_ids = new[] { AutoTenant } }, caller: "customer-admin");
    }

    [Fact]
    public async Task An_auto_accepted_isolation_completes_and_history_names_the_setting_that_accepted_it()
    {
        var incident = await Mesh.OpenIncidentAsync(AutoTenant);

        var response = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });

        var done = await Mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Equal(36, done["parameters"]!["task_id"]!.GetValue<string>().Length);
        Assert.Equal(
            [("New", "soc"), ("Confirmed", "auto-accept setting v1 (TENANT:tenant-auto)"), ("InProgress", "executor"), ("Completed", "executor")],
            await Mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_response_confirmed_by_a_person_completes_with_the_outcome_details()
    {
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        Assert.Equal("New", (await Mesh.ResponseAsync(incident, response))["status"]!.GetValue<string>());

        await Mesh.DecideAsync(response, "Confirmed", "Go ahead", "alice");

        var done = await Mesh.WaitForStatusAsync(incident, response, "Completed");
        Assert.Equal("4096", done["details"]!["size_bytes"]!.GetValue<string>()); // the second tenant's invoice
        Assert.Equal("Go ahead", done["comment"]!.GetValue<string>());
        Assert.Contains(("Confirmed", "alice"), await Mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_declined_response_is_never_executed()
    {
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);
        var declined = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Mesh.DecideAsync(declined, "Declined", "Not on a CEO laptop", "bob");
        await Mesh.WaitForStatusAsync(incident, declined, "Declined");

        // A later response through the same pipeline completing shows the earlier one had its chance.
        var later = await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { });
        await Mesh.DecideAsync(later, "Confirmed", "ok", "bob");
        await Mesh.WaitForStatusAsync(incident, later, "Completed");

        Assert.Equal("Declined", (await Mesh.ResponseAsync(incident, declined))["status"]!.GetValue<string>());
        await using var executor = Mesh.Service("Executor").Services.GetRequiredService<IDocumentStore>().QuerySession(ManualTenant);
        Assert.Null(await executor.LoadAsync<Execution>(Guid.Parse(declined)));
        Assert.Equal([("New", "soc"), ("Declined", "bob")], await Mesh.ResponseHistoryAsync(incident, declined));
    }

    [Fact]
    public async Task A_failed_execution_shows_failed_with_its_reason_in_history()
    {
        var incident = await Mesh.OpenIncidentAsync(AutoTenant);

        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\images\disk.iso", max_file_size_mb = 10 });

        var failed = await Mesh.WaitForStatusAsync(incident, response, "Failed");
        Assert.Equal("FILE_TOO_LARGE", failed["details"]!["reason_code"]!.GetValue<string>());
        var last = (await Mesh.HistoryAsync(incident)).Last()!;
        Assert.Equal("Failed", last["entity"]!["incident_response"]!["status"]!.GetValue<string>());
        Assert.Contains("over the limit of 10 MB", last["entity"]!["incident_response"]!["details"]!["reason"]!.GetValue<string>());
        Assert.Contains(last["changes"]!.AsArray(), c => c!["field"]!.GetValue<string>() == "status"
            && c["before"]!.GetValue<string>() == "InProgress" && c["after"]!.GetValue<string>() == "Failed");
    }

    [Fact]
    public async Task Closing_an_incident_declines_its_waiting_responses_and_refuses_new_ones()
    {
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);
        var first = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        var second = await Mesh.ProposeAsync(incident, "ISOLATE", new { }, asset: "ws-2");
        await Mesh.DecideAsync(second, "Confirmed", "Isolate it", "alice");
        await Mesh.WaitForStatusAsync(incident, second, "Completed");

        var closed = await Mesh.OkAsync("incidents/close", new { incident_id = incident, resolution_status = "TRUE_POSITIVE", summary = "Contained" });

        Assert.Equal("Closed", closed["status"]!.GetValue<string>());
        Assert.Equal("True positive", closed["resolution"]!.GetValue<string>());
        var declined = await Mesh.WaitForStatusAsync(incident, first, "Declined");
        Assert.Contains("incident was closed", declined["comment"]!.GetValue<string>());
        Assert.Equal("Completed", (await Mesh.ResponseAsync(incident, second))["status"]!.GetValue<string>());
        var (status, problem) = await Mesh.CallAsync("responses/create",
            new { incident_id = incident, asset_id = "ws-1", type = "DISABLE_ISOLATION", parameters = new { } });
        Assert.Equal(409, status);
        Assert.Contains("closed", problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_response_nobody_decides_is_declined_when_the_deadline_passes()
    {
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Eventually.ReturnsAsync(() => ApprovalsKnowsAsync(response), known => known, "the approvals service knows the response");

        Mesh.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        var declined = await Mesh.WaitForStatusAsync(incident, response, "Declined");
        Assert.Contains("no decision by the deadline", declined["comment"]!.GetValue<string>());
        Assert.Equal([("New", "soc"), ("Declined", "mdrmesh")], await Mesh.ResponseHistoryAsync(incident, response));
    }

    [Fact]
    public async Task A_response_is_decided_once_and_a_second_decision_is_a_conflict()
    {
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);
        var response = await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { });
        await Mesh.DecideAsync(response, "Declined", "no", "alice");

        var (status, problem) = await Mesh.CallAsync("response/update", new { response_id = response, status = "Confirmed", comment = "yes" }, caller: "bob");

        Assert.Equal(409, status);
        Assert.Contains("already Declined, by alice", problem!["title"]!.GetValue<string>() + problem["detail"]!.GetValue<string>());
        await Mesh.WaitForStatusAsync(incident, response, "Declined");
    }

    [Fact]
    public async Task A_decision_on_a_response_the_approvals_service_does_not_know_is_answered_at_once_with_when_to_retry()
    {
        var (clientId, token) = await Mesh.TokenAsync("alice");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/response/update")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { response_id = Guid.NewGuid().ToString(), status = "Confirmed", comment = "go" }),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");

        using var answer = await Mesh.Http.SendAsync(request);

        // Not held waiting for a proposal that may be in flight: a 404 that says when to send it again.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), answer.Headers.RetryAfter?.Delta);
        Assert.Contains("send the decision again after Retry-After", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deciding_responses_of_several_tenants_at_once_is_all_or_nothing()
    {
        var manual = await Mesh.OpenIncidentAsync(ManualTenant);
        var other = await Mesh.OpenIncidentAsync(OtherManualTenant);
        var pending = await Mesh.ProposeAsync(manual, "DISABLE_ISOLATION", new { });
        var elsewhere = await Mesh.ProposeAsync(other, "DISABLE_ISOLATION", new { });
        var decided = await Mesh.ProposeAsync(other, "DISABLE_ISOLATION", new { }, asset: "ws-2");
        await Mesh.DecideAsync(decided, "Declined", "no", "alice");

        var (status, problem) = await Mesh.CallAsync("responses/update",
            new { responses_ids = new[] { pending, elsewhere, decided }, status = "Confirmed", comment = "all of them" }, caller: "bob");

        Assert.Equal(409, status);
        Assert.Contains("already Declined", problem!["detail"]!.GetValue<string>());
        Assert.Equal(DecisionStatus.New, (await DecisionAsync(ManualTenant, pending))!.Status);
        Assert.Equal(DecisionStatus.New, (await DecisionAsync(OtherManualTenant, elsewhere))!.Status);

        var both = await Mesh.OkAsync("responses/update", new { responses_ids = new[] { pending, elsewhere }, status = "Confirmed", comment = "these" }, "bob");

        Assert.All(both.AsArray(), r => Assert.Equal("Confirmed", r!["status"]!.GetValue<string>()));
        // Written in one session, each in its own tenant: the decision documents sit in their tenants.
        Assert.Equal(DecisionStatus.Confirmed, (await DecisionAsync(ManualTenant, pending))!.Status);
        Assert.Equal(DecisionStatus.Confirmed, (await DecisionAsync(OtherManualTenant, elsewhere))!.Status);
        Assert.Null(await DecisionAsync(ManualTenant, elsewhere));
        await Mesh.WaitForStatusAsync(manual, pending, "Completed");
        await Mesh.WaitForStatusAsync(other, elsewhere, "Completed");
    }

    private async Task<Decision?> DecisionAsync(string tenant, string responseId)
    {
        await using var query = Mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession(tenant);
        return await query.LoadAsync<Decision>(Guid.Parse(responseId));
    }

    [Fact]
    public async Task A_bad_proposal_is_a_problem_naming_every_bad_field()
    {
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);

        var (status, problem) = await Mesh.CallAsync("responses/create", new
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
        var incident = await Mesh.OpenIncidentAsync(ManualTenant);

        var (status, problem) = await Mesh.CallAsync("responses/create",
            new { incident_id = incident, asset_id = "dc-9", type = "DISABLE_ISOLATION", parameters = new { } });

        Assert.Equal(400, status);
        Assert.NotNull(problem!["errors"]!["asset_id"]);
    }

    private async Task<bool> ApprovalsKnowsAsync(string responseId)
    {
        await using var query = Mesh.Service("Approvals").Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await query.Query<Decision>().AnyAsync(d => d.AnyTenant() && d.Id == Guid.Parse(responseId));
    }
}
