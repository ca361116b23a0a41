using MdrMesh.Gateway;
using MdrMesh.ServiceDefaults;

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

    [Fact]
    public void A_service_serving_other_than_the_table_gives_it_refuses_to_start()
    {
        var gateways = ApiMethods.Of(ApiMethods.Gateway).Select(m => m.Name).ToList();
        ApiMethods.RequireExactly(ApiMethods.Gateway, gateways);
        var stray = Assert.Throws<InvalidOperationException>(() => ApiMethods.RequireExactly(ApiMethods.Gateway, [.. gateways, "incidents/list"]));
        Assert.Contains("incidents/list", stray.Message);
        Assert.Contains("Incidents", stray.Message);
        var missing = Assert.Throws<InvalidOperationException>(() => ApiMethods.RequireExactly(ApiMethods.Gateway, gateways.Skip(1)));
        Assert.Contains(gateways[0], missing.Message);
    }
}
