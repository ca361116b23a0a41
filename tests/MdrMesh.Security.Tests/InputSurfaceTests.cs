namespace MdrMesh.Security.Tests;

/// <summary>
/// The whole input surface, walked from the API's own description through the real gateway: every field of every
/// method gets a value of the wrong JSON type, null, an empty and an oversized value. A wrong type is a 400 that names
/// the field; nothing is ever a bare 400 or a 5xx. A field the description gives a fixed set of values (<c>enum</c>) also gets
/// a value outside it, refused with a 400 that lists the values. A method added later is covered without anyone writing a case.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class InputSurfaceTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson("t-input"))
{
    private readonly HttpClient _http = new();

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Every_field_of_every_method_names_itself_when_it_has_the_wrong_type_and_nothing_answers_5xx()
    {
        var document = JsonNode.Parse(await _http.GetStringAsync($"{Mesh.ServiceAddress("Gateway")}/openapi/v1.json"))!;
        var schemas = document["components"]!["schemas"]!;
        var (clientId, token) = await Mesh.TokenAsync("soc");
        var failures = new List<string>();
        var fields = 0;
        var enumFields = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var method = path[(path.IndexOf("{client_id}/", StringComparison.Ordinal) + "{client_id}/".Length)..];
            if (item!["post"]?["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema) continue;
            if (schema["$ref"] is { } reference) schema = schemas[reference.GetValue<string>().Split('/')[^1]]!;
            foreach (var (field, fieldSchema) in schema["properties"]?.AsObject() ?? [])
            {
                fields++;
                var types = Types(fieldSchema!);
                // Numbers may also be written as strings (the API reads "5" as 5), so theirs is a boolean.
                var wrong = types.Contains("integer") || types.Contains("number") ? JsonValue.Create(true)
                    : types.Contains("string") ? JsonValue.Create(12345)
                    : (JsonNode)JsonValue.Create("not of this type");
                var (status, body) = await CallAsync(method, field, wrong);
                if (status != 400 || !Names(body, field)) failures.Add($"{method} {field} = {wrong.ToJsonString()}: {status} {body?.ToJsonString()}");

                foreach (var value in new JsonNode?[] { null, JsonValue.Create(""), Oversized(types) })
                {
                    (status, body) = await CallAsync(method, field, value);
                    if (status >= 500 || (status == 400 && body?["errors"] is not JsonObject))
                        failures.Add($"{method} {field} = {Shown(value)}: {status} {body?.ToJsonString()}");
                }

                // The values the description lists are the ones the validation holds to: anything else is refused, naming them.
                var isList = types.Contains("array");
                if ((isList ? fieldSchema!["items"]?["enum"] : fieldSchema!["enum"]) is not JsonArray allowed) continue;
                enumFields++;
                var unknown = isList ? new JsonArray("NOT_A_VALUE") : (JsonNode)JsonValue.Create("NOT_A_VALUE");
                (status, body) = await CallAsync(method, field, unknown);
                var listed = allowed.OfType<JsonValue>().Select(v => v.GetValue<string>()).ToList();
                var rules = Rules(body, field);
                if (status != 400 || !rules.Any(r => r.Contains("must be one of", StringComparison.Ordinal) && listed.All(r.Contains)))
                    failures.Add($"{method} {field} = {unknown.ToJsonString()} (enum {allowed.ToJsonString()}): {status} {body?.ToJsonString()}");
            }
        }

        Assert.True(fields > 50, $"only {fields} fields found in the API's description");
        Assert.True(enumFields >= 20, $"only {enumFields} fields with a fixed set of values (enum) found in the API's description");
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        async Task<(int, JsonNode?)> CallAsync(string method, string field, JsonNode? value) =>
            await Mesh.RawCallAsync(clientId, method, new JsonObject { [field] = value?.DeepClone() }, method == "session/confirm" ? null : token);
    }

    [Theory]
    [InlineData("incidents/list", "{\"statuses\": \"Open\"}", "statuses", "must be an array of strings")]
    [InlineData("incidents/list", "{\"page\": \"x\"}", "page", "must be an integer")]
    [InlineData("incidents/count", "{\"priorities\": 5}", "priorities", "must be an array of strings")]
    [InlineData("assets/list", "{\"page_size\": \"a\"}", "page_size", "must be an integer")]
    [InlineData("responses/create", "{\"incident_id\": 123, \"asset_id\": \"ws-1\", \"type\": \"ISOLATE\"}", "incident_id", "must be a string")]
    [InlineData("incidents/create", "{\"summary\": \"x\", \"affected_hosts\": [\"a\", \"b\", 7]}", "affected_hosts[2]", "must be a string")]
    [InlineData("incidents/list", "{\"statuses\": [\"Open\", \"Nope\"]}", "statuses[1]", "must be one of Open, On hold, Resolved, Closed")]
    [InlineData("incidents/count", "{\"response_types\": [\"ISOLATION\"]}", "response_types[0]", "must be one of GET_FILE, ISOLATE,")]
    [InlineData("assets/list", "{\"statuses\": [\"ONLINE\"]}", "statuses[0]", "must be one of OK, WARNING, CRITICAL, OFFLINE, ABSENT")]
    [InlineData("incidents/list", "{\"page\": ", "page", "is not valid JSON")]
    [InlineData("incidents/list", "", "body", "is required: a JSON object")]
    [InlineData("incidents/list", "null", "body", "is required: a JSON object")]
    public async Task A_value_that_does_not_fit_is_a_400_naming_the_field_and_the_rule(string method, string body, string field, string rule)
    {
        var (clientId, token) = await Mesh.TokenAsync("soc");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Mesh.ServiceAddress("Gateway")}/api/v1/{clientId}/{method}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await _http.SendAsync(request);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var rules = problem["errors"]?[field]?.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.True(rules?.Any(r => r.StartsWith(rule, StringComparison.Ordinal)) == true, problem.ToJsonString());
    }

    private static HashSet<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => many.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToHashSet(),
        JsonValue one => [one.GetValue<string>()],
        // A reference to another schema (an object) or a union without a type of its own.
        _ => ["object"],
    };

    private static JsonNode Oversized(HashSet<string> types) =>
        types.Contains("array") ? new JsonArray(Enumerable.Range(0, 5_000).Select(_ => (JsonNode?)JsonValue.Create("x")).ToArray())
        : types.Contains("integer") || types.Contains("number") ? JsonValue.Create(1e30)
        : JsonValue.Create(new string('x', 100_000));

    private static string Shown(JsonNode? value) => value is null ? "null" : value.ToJsonString() is { Length: > 40 } long_ ? long_[..40] + "..." : value.ToJsonString();

    /// <summary>The problem's errors name the field itself, or something inside it (<c>field[2]</c>, <c>field.path</c>).</summary>
    private static bool Names(JsonNode? problem, string field) =>
        problem?["errors"] is JsonObject errors && errors.Any(e => IsOrIsIn(e.Key, field));

    /// <summary>The rules the problem names for the field or anything inside it.</summary>
    private static List<string> Rules(JsonNode? problem, string field) =>
        problem?["errors"] is JsonObject errors
            ? errors.Where(e => IsOrIsIn(e.Key, field)).SelectMany(e => e.Value as JsonArray ?? []).OfType<JsonValue>().Select(r => r.GetValue<string>()).ToList()
            : [];

    private static bool IsOrIsIn(string key, string field) =>
        key == field || key.StartsWith(field + "[", StringComparison.Ordinal) || key.StartsWith(field + ".", StringComparison.Ordinal);
}
