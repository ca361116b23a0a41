using MdrMesh.Gateway;

namespace MdrMesh.Services.Tests;

public class GatewayTests
{
    [Theory]
    [InlineData("auto_accept/set", "Approvals")]
    [InlineData("response/update", "Approvals")]
    [InlineData("responses/update", "Approvals")]
    [InlineData("responses/list", "Incidents")]
    [InlineData("responses/create", "Incidents")]
    [InlineData("incidents/history", "Incidents")]
    [InlineData("assets/list", "Executor")]
    [InlineData("assets/register", "Executor")]
    public void The_gateway_sends_each_method_to_the_service_that_owns_its_data(string method, string service) =>
        Assert.Equal(service, Forwarding.ServiceFor(method));
}
