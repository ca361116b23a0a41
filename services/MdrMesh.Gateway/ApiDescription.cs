using MdrMesh.ServiceDefaults;
using System.Text.Json.Nodes;
using MdrMesh.Gateway.Access;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace MdrMesh.Gateway;

/// <summary>
/// The API's OpenAPI 3.1 document, <c>GET /openapi/v1.json</c>. Each service describes its own
/// methods (ASP.NET Core's generator, from the handlers' request and answer types); the gateway
/// describes its own, takes each forwarded method from the service that owns it, and adds what only
/// it knows: the bearer scheme, the rights each method needs (<c>x-mdrmesh-rights</c>, from
/// <see cref="ApiMethods"/>) and the problem+json errors. Built once every service has answered.
/// </summary>
public static class ApiDescription
{
    public const string Path = "/openapi/v1.json";
    private const string PathPrefix = "/api/v1/{client_id}/";

    private static readonly (int Status, string Meaning)[] Problems =
    [
        (400, "A field is missing or breaks a rule; `errors` names each field and its rule."),
        (401, "No valid access token (`Authorization: Bearer <access_token>`), or the path's client id is not the token's."),
        (403, "The connection's rights do not include this method."),
        (404, "No such object in the tenants the connection may reach."),
        (409, "The change conflicts with the object's current state (e.g. a response decided already)."),
        (413, "The body is larger than the method allows."),
        (429, "Too many requests from this connection; retry after `Retry-After` seconds."),
        (503, "The service is temporarily unavailable; retry after `Retry-After` seconds."),
    ];

    /// <summary>The interactive reference (Scalar), its script served by the gateway itself: air-gapped browsers reach no CDN.</summary>
    public const string ReferencePath = "/reference";

    public static void MapApiDescription(this WebApplication app)
    {
        app.MapScalarApiReference(ReferencePath, options => options
            .WithTitle("MdrMesh API")
            .WithOpenApiRoutePattern(Path)
            .AddPreferredSecuritySchemes("bearer"));
        app.MapGet(Path, async (ApiDocument document, CancellationToken ct) =>
        {
            try
            {
                return Results.Text(await document.GetAsync(ct), "application/json");
            }
            catch (HttpRequestException)
            {
                return Unavailable.Problem(503, "A service behind the gateway does not answer; its methods cannot be described yet.");
            }
        }).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>The gateway's own document, with each forwarded method replaced by its service's description, then annotated.</summary>
    public static JsonObject Describe(JsonObject gateway, IReadOnlyDictionary<string, JsonObject> services)
    {
        var paths = new JsonObject();
        var schemas = gateway["components"]?["schemas"]?.AsObject().DeepClone().AsObject() ?? new JsonObject();
        foreach (var method in ApiMethods.All.Select(m => m.Name).Prepend(SessionEndpoints.Method).Order(StringComparer.Ordinal))
        {
            var path = PathPrefix + method;
            var source = Forwarding.IsForwarded(method) ? services[ApiMethods.ByName[method].Service] : gateway;
            var item = source["paths"]?[path]?.DeepClone().AsObject()
                       ?? throw new InvalidOperationException($"{method} is not described by the service that serves it.");
            Annotate(item["post"]!.AsObject(), method);
            paths[path] = item;
            foreach (var (name, schema) in source["components"]?["schemas"]?.AsObject() ?? [])
                if (!schemas.ContainsKey(name)) schemas[name] = schema!.DeepClone();
        }
        schemas["ProblemDetails"] = ProblemSchema();
        // Request records declare every field (a null is "not given"); what a method needs is its validation's to say,
        // field by field, in a 400. Marking them all required would mislead a client generator.
        foreach (var name in Referenced(paths.Select(p => p.Value!["post"]?["requestBody"]), schemas))
            schemas[name]?.AsObject().Remove("required");
        return new JsonObject
        {
            ["openapi"] = gateway["openapi"]!.DeepClone(),
            ["info"] = new JsonObject
            {
                ["title"] = "MdrMesh API",
                ["version"] = "v1",
                ["description"] = "The response side of managed detection and response, in the MDR API's dialect: every method is "
                                  + "`POST /api/v1/{client_id}/{method}` with a JSON body (snake_case fields, times in Unix milliseconds). "
                                  + "Exchange the connection's refresh token at `session/confirm` for an access token, then send it as "
                                  + "`Authorization: Bearer <access_token>`. Which rights sets may call a method: `x-mdrmesh-rights`.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject
                    {
                        ["type"] = "http", ["scheme"] = "bearer", ["bearerFormat"] = "JWT",
                        ["description"] = "The access token session/confirm answers (valid for minutes; its client id must be the path's).",
                    },
                },
            },
        };
    }

    /// <summary>The schemas reachable from <paramref name="roots"/> through references.</summary>
    private static HashSet<string> Referenced(IEnumerable<JsonNode?> roots, JsonObject schemas)
    {
        var found = new HashSet<string>();
        var pending = new Stack<JsonNode?>(roots);
        while (pending.TryPop(out var node))
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o)
                        if (key == "$ref" && value!.GetValue<string>().Split('/')[^1] is var name && found.Add(name)) pending.Push(schemas[name]);
                        else pending.Push(value);
                    break;
                case JsonArray a:
                    foreach (var item in a) pending.Push(item);
                    break;
            }
        }
        return found;
    }

    private static void Annotate(JsonObject operation, string method)
    {
        operation["parameters"] = new JsonArray(new JsonObject
        {
            ["name"] = "client_id", ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" },
            ["description"] = "The API connection's client id; it must be the access token's.",
        });
        if (IdempotencyKey.Methods.Contains(method))
            operation["parameters"]!.AsArray().Add(new JsonObject
            {
                ["name"] = IdempotencyKey.Header, ["in"] = "header", ["required"] = false,
                ["schema"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = IdempotencyKey.MaxLength, ["pattern"] = "^[\\x20-\\x7E]+$" },
                ["description"] = "Makes a retry safe: the same key with the same request gives the first answer again (for 24 h) and creates "
                                  + "nothing more; with a different request, 422; while the first call runs, the retry waits for its answer. "
                                  + "The key is the API connection's. See the README, \"Retrying safely\".",
            });
        operation["operationId"] = method.Replace('/', '_');
        operation["summary"] = method;
        operation["tags"] = new JsonArray(method[..method.IndexOf('/')]);
        var responses = operation["responses"]?.AsObject() ?? new JsonObject();
        operation["responses"] = responses;
        if (method == SessionEndpoints.Method)
        {
            operation["description"] = "Exchanges a refresh token (used once) for an access token and the next refresh token. No Authorization header.";
            operation["security"] = new JsonArray();
        }
        else
        {
            var rights = ApiMethods.ByName[method].Rights;
            operation["description"] = $"Rights: any of {string.Join(", ", rights)}.";
            operation["x-mdrmesh-rights"] = new JsonArray(rights.Select(r => (JsonNode)r).ToArray());
            operation["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() });
        }
        foreach (var (status, meaning) in Problems)
            responses[status.ToString()] = new JsonObject
            {
                ["description"] = meaning,
                ["content"] = new JsonObject
                {
                    ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/ProblemDetails" } },
                },
            };
    }

    private static JsonObject ProblemSchema() => new()
    {
        ["type"] = "object",
        ["description"] = "RFC 9457 problem details; a 400 adds `errors`: each field and the rules it broke.",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["title"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            ["status"] = new JsonObject { ["type"] = new JsonArray("integer", "null") },
            ["detail"] = new JsonObject { ["type"] = new JsonArray("string", "null") },
            // A 400's: each field (e.g. parameters.exclusion_rules[0].ip) and the rules it broke.
            ["errors"] = new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            },
        },
    };
}

/// <summary>The document, built on first request once every service answers, then kept: the methods do not change while the gateway runs.</summary>
public sealed class ApiDocument([FromKeyedServices("v1")] IOpenApiDocumentProvider own, IHttpClientFactory clients)
{
    private readonly SemaphoreSlim _building = new(1, 1);
    private string? _built;

    public async Task<string> GetAsync(CancellationToken ct)
    {
        if (_built is { } done) return done;
        await _building.WaitAsync(ct);
        try
        {
            if (_built is not null) return _built;
            var gateway = await own.GetOpenApiDocumentAsync(ct);
            var document = JsonNode.Parse(await gateway.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, ct))!.AsObject();
            var services = new Dictionary<string, JsonObject>();
            foreach (var service in ApiMethods.Forwarded)
                services[service] = JsonNode.Parse(await clients.CreateClient(service).GetStringAsync(ApiDescription.Path, ct))!.AsObject();
            return _built = ApiDescription.Describe(document, services).ToJsonString();
        }
        finally
        {
            _building.Release();
        }
    }
}
