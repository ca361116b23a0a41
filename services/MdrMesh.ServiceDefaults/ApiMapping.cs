using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.ServiceDefaults;

public static partial class Extensions
{
    /// <summary>Routes whose handlers throw <typeparamref name="TConflict"/> for a change the current state forbids: 409 problem+json.</summary>
    public static RouteGroupBuilder MapMethodsWithConflicts<TConflict>(this WebApplication app) where TConflict : Exception =>
        (RouteGroupBuilder)app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (TConflict conflict)
            {
                return ApiProblems.Conflict(conflict.Message);
            }
        });

    /// <summary>The route of one API method: <c>POST /api/v1/{client_id}/{method}</c>.</summary>
    public static RouteHandlerBuilder MapMethod(this IEndpointRouteBuilder app, string method, Delegate handler)
    {
        app.ServiceProvider.GetRequiredService<MappedMethods>().Names.Add(method);
        return app.MapPost($"/api/v1/{{client_id}}/{method}", handler).AddEndpointFilter(InputBounds.Filter);
    }

    /// <summary>Stops the service at start unless it has mapped exactly the methods the method table gives <paramref name="service"/>.</summary>
    public static void RequireMethodsOf(this IEndpointRouteBuilder app, string service) =>
        ApiMethods.RequireExactly(service, app.ServiceProvider.GetRequiredService<MappedMethods>().Names);
}

/// <summary>The API methods this service has mapped (see <see cref="Extensions.RequireMethodsOf"/>).</summary>
public sealed class MappedMethods
{
    public List<string> Names { get; } = [];
}
