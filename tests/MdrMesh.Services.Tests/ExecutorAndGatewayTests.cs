using MdrMesh.Contracts.Responses;
using MdrMesh.Executor.Executing;
using MdrMesh.Executor.Fleet;
using MdrMesh.Gateway;

namespace MdrMesh.Services.Tests;

public class ExecutorAndGatewayTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static readonly FleetAsset Asset = new()
    {
        Id = "ws-1", HostName = "WS-1",
        Files = new(StringComparer.OrdinalIgnoreCase) { [@"C:\a.exe"] = new FleetFile(3 * 1024 * 1024, "s", "m") },
    };

    private static ExecutionOutcome Run(FleetAsset? asset, ResponseParameters parameters) =>
        FleetRules.Execute(asset, new ExecutionRequest(Guid.NewGuid(), "t1", "ws-1", parameters), Now).Outcome;

    [Fact]
    public void Get_file_succeeds_within_the_limit_and_fails_with_a_reason_otherwise()
    {
        Assert.Equal("3145728", Assert.IsType<Succeeded>(Run(Asset, new GetFileParameters(@"c:\A.EXE", 3))).Details["size_bytes"]);
        Assert.Equal(ReasonCodes.FileTooLarge, Assert.IsType<Failed>(Run(Asset, new GetFileParameters(@"C:\a.exe", 2))).ReasonCode);
        Assert.Equal(ReasonCodes.FileNotFound, Assert.IsType<Failed>(Run(Asset, new GetFileParameters(@"C:\b.exe", 2))).ReasonCode);
    }

    [Fact]
    public void Unknown_and_unreachable_assets_fail_rather_than_succeed()
    {
        Assert.Equal(ReasonCodes.AssetNotFound, Assert.IsType<Failed>(Run(null, new DisableIsolationParameters())).ReasonCode);
        Assert.Equal(ReasonCodes.AssetUnreachable,
            Assert.IsType<Failed>(Run(Asset with { Status = "OFFLINE" }, new DisableIsolationParameters())).ReasonCode);
    }

    [Fact]
    public void Isolation_is_set_with_its_term_and_lifted_by_disable_isolation()
    {
        var (isolated, _) = FleetRules.Execute(Asset, new ExecutionRequest(Guid.NewGuid(), "t1", "ws-1",
            new IsolateParameters(60, [], TaskId: "task-1")), Now);
        var (lifted, outcome) = FleetRules.Execute(isolated, new ExecutionRequest(Guid.NewGuid(), "t1", "ws-1", new DisableIsolationParameters()), Now);

        Assert.True(isolated!.Isolated);
        Assert.Equal(("task-1", Now.AddSeconds(60)), (isolated.IsolationTaskId, isolated.IsolationEndsAt));
        Assert.False(lifted!.Isolated);
        Assert.Equal("true", Assert.IsType<Succeeded>(outcome).Details["was_isolated"]);
        Assert.Equal("false", Assert.IsType<Succeeded>(Run(Asset, new DisableIsolationParameters())).Details["was_isolated"]);
    }

    [Theory]
    [InlineData("auto_accept/set", "Approvals")]
    [InlineData("response/update", "Approvals")]
    [InlineData("responses/update", "Approvals")]
    [InlineData("responses/list", "Incidents")]
    [InlineData("responses/create", "Incidents")]
    [InlineData("incidents/history", "Incidents")]
    [InlineData("assets/list", "Executor")]
    public void The_gateway_sends_each_method_to_the_service_that_owns_its_data(string method, string service) =>
        Assert.Equal(service, Forwarding.ServiceFor(method));
}
