using MdrMesh.Contracts.Responses;
using MdrMesh.Gateway.Access;
using MdrMesh.Incidents;
using MdrMesh.ServiceDefaults;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>What an integrator reads: the OpenAPI document the gateway serves describes every method, as the API answers it.</summary>
[Collection(InfrastructureCollection.Name)]
public sealed class ApiDescriptionTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private const string Prefix = "/api/v1/{client_id}/";
    private readonly HttpClient _http = new();
    private string _text = "";
    private JsonObject _document = null!;

    protected override async Task SetUpAsync()
    {
        // Anonymous: the description is public, like the README.
        using var response = await _http.GetAsync($"{Mesh.ServiceAddress("Gateway")}/openapi/v1.json");
        Assert.Equal(200, (int)response.StatusCode);
        _text = await response.Content.ReadAsStringAsync();
        _document = JsonNode.Parse(_text)!.AsObject();
    }

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public void The_document_lists_exactly_the_methods_of_the_rights_table_and_the_token_exchange()
    {
        var methods = _document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.All(methods, m => Assert.StartsWith(Prefix, m));
        Assert.Equal(ApiMethods.All.Select(m => m.Name).Append("session/confirm").Order(StringComparer.Ordinal),
            methods.Select(m => m[Prefix.Length..]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Each_method_names_the_rights_it_needs_the_bearer_scheme_and_its_problem_answers()
    {
        foreach (var (path, item) in _document["paths"]!.AsObject())
        {
            var method = path[Prefix.Length..];
            var operation = item!["post"]!;
            var problems = operation["responses"]!.AsObject();
            foreach (var status in new[] { "400", "401", "403", "404", "413", "429", "503" })
                Assert.True(problems[status]?["content"]?["application/problem+json"] is not null, $"{method} describes no {status}");
            if (method == "session/confirm")
            {
                Assert.Empty(operation["security"]!.AsArray());
                continue;
            }
            Assert.Equal(ApiMethods.ByName[method].Rights, operation["x-mdrmesh-rights"]!.AsArray().Select(r => r!.GetValue<string>()));
            Assert.NotNull(operation["security"]![0]!["bearer"]);
        }
        Assert.Equal("bearer", _document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public void Requests_and_answers_have_their_schemas_in_the_wire_format()
    {
        // responses/create: the request's snake_case fields, and the response object it answers.
        var create = _document["paths"]![Prefix + "responses/create"]!["post"]!;
        var request = Resolve(create["requestBody"]!["content"]!["application/json"]!["schema"]!);
        Assert.Superset(new HashSet<string> { "incident_id", "asset_id", "type", "parameters" }, Properties(request));
        // A field of fixed values lists them, null among them as it may be left out; a list's are on its items, without null.
        Assert.Equal([.. ResponseType.All, null], request["properties"]!["type"]!["enum"]!.AsArray().Select(v => v?.GetValue<string>()));
        var filter = Resolve(_document["paths"]![Prefix + "incidents/list"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!);
        Assert.Equal(IncidentStatus.All, filter["properties"]!["statuses"]!["items"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        var answer = Resolve(create["responses"]!["200"]!["content"]!["application/json"]!["schema"]!);
        Assert.Superset(new HashSet<string> { "response_id", "incident_id", "type", "status", "asset_id" }, Properties(answer));
        // incidents/list answers a list of incident objects; a count answers {count}.
        var list = _document["paths"]![Prefix + "incidents/list"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        Assert.Equal("array", list["type"]!.GetValue<string>());
        Assert.Contains("incident_number", Properties(Resolve(list["items"]!)));
        var count = _document["paths"]![Prefix + "assets/count"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        Assert.Equal(["count"], Properties(Resolve(count)).ToList());
        // A download answers bytes; an upload takes a multipart form.
        Assert.NotNull(_document["paths"]![Prefix + "attachments/download"]!["post"]!["responses"]!["200"]!["content"]!["application/octet-stream"]);
        Assert.NotNull(_document["paths"]![Prefix + "attachments/upload"]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]);
    }

    [Fact]
    public void The_document_is_valid_OpenAPI_3_1()
    {
        Assert.StartsWith("3.1", _document["openapi"]!.GetValue<string>());
        var read = OpenApiDocument.Parse(_text, "json", new OpenApiReaderSettings());
        Assert.Empty(read.Diagnostic!.Errors);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic.SpecificationVersion);
        Assert.Empty(read.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())!);
        // Every reference resolves to a schema the document holds.
        foreach (var reference in References(_document))
            Assert.True(_document["components"]!["schemas"]![reference["#/components/schemas/".Length..]] is not null, $"{reference} is not in the document");
    }

    [Fact]
    public async Task The_interactive_reference_is_served_by_the_gateway_with_its_own_script_and_no_cdn()
    {
        var page = new Uri($"{Mesh.ServiceAddress("Gateway")}/reference/");
        using var response = await _http.GetAsync(page);
        Assert.Equal(200, (int)response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", html);
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]*\\ssrc=\"([^\"]+)\"").Select(m => new Uri(page, m.Groups[1].Value)).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.Equal(page.Authority, script.Authority);
            using var served = await _http.GetAsync(script);
            Assert.True((int)served.StatusCode == 200, $"{script} answered {(int)served.StatusCode}");
        }
    }

    private JsonNode Resolve(JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference ? _document["components"]!["schemas"]![reference["#/components/schemas/".Length..]]! : schema;

    private static HashSet<string> Properties(JsonNode schema) => schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();

    private static IEnumerable<string> References(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" ? [p.Value!.GetValue<string>()] : References(p.Value)),
        JsonArray a => a.SelectMany(References),
        _ => [],
    };
}
