using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// What an existing integration of the product's API relies on, through the gateway: comments as the
/// product's object (author_name, origin, was_read per reader, Markdown rendered and sanitized),
/// attachments uploaded, listed and downloaded, opaque ids, tenant names, the documented filters and options.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class IntegrationDialectTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson("t-x"))
{
    private const int FileLimit = 64 * 1024;
    private string _tenant = "", _incident = "";

    protected override Dictionary<string, string?> Settings => new() { ["Attachments:MaxBytes"] = FileLimit.ToString() };

    protected override async Task SetUpAsync()
    {
        _tenant = (await Mesh.OkAsync("tenants/create", new { name = "Contoso" }))["tenant_id"]!.GetValue<string>();
        _incident = (await Mesh.OkAsync("incidents/create", new
        {
            summary = "Beacon", tenant_id = _tenant, affected_hosts = new[] { "WS-1:ws-1" }, mitre_tactics = new[] { "TA0011" },
            mitre_techniques = new[] { "T1071" }, detection_technology = "EDR", no_sla_flag = true,
        }))["incident_id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Comments_carry_author_name_origin_and_was_read_per_reader()
    {
        var posted = await Mesh.OkAsync("comments/create", new { incident_id = _incident, text = "Host **contained**" });
        Assert.Equal("soc", posted["author_name"]!.GetValue<string>());
        Assert.Equal("SOC", posted["origin"]!.GetValue<string>());
        Assert.True(posted["was_read"]!.GetValue<bool>()); // its author has read it

        var first = (await Mesh.OkAsync("comments/list", new { incident_id = _incident }, caller: "customer")).AsArray();
        var comment = Assert.Single(first, c => c!["comment_id"]!.GetValue<string>() == posted["comment_id"]!.GetValue<string>())!;
        Assert.False(comment["was_read"]!.GetValue<bool>());
        var again = (await Mesh.OkAsync("comments/list", new { incident_id = _incident }, caller: "customer")).AsArray();
        Assert.True(again.Single(c => c!["comment_id"]!.ToString() == posted["comment_id"]!.ToString())!["was_read"]!.GetValue<bool>());

        var reply = await Mesh.OkAsync("comments/create", new { incident_id = _incident, text = "Thanks" }, caller: "customer");
        Assert.Equal("CUSTOMER", reply["origin"]!.GetValue<string>());
        var only = (await Mesh.OkAsync("comments/list", new { incident_id = _incident, fields = new[] { "author_name", "text" } })).AsArray();
        Assert.All(only, c => Assert.Equal(["author_name", "text"], c!.AsObject().Select(p => p.Key).Order()));
        Assert.Contains(only, c => c!["author_name"]!.GetValue<string>() == "customer");
    }

    [Fact]
    public async Task Markdown_is_rendered_without_anything_that_could_run()
    {
        var text = "**bold** [ok](https://example.org) [bad](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>";
        var html = (await Mesh.OkAsync("comments/create", new { incident_id = _incident, text, markdown_to_html = true }))["text"]!.GetValue<string>();
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("href=\"https://example.org\"", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        var plain = (await Mesh.OkAsync("comments/list", new { incident_id = _incident })).AsArray();
        Assert.Contains(plain, c => c!["text"]!.GetValue<string>() == text); // stored as written; rendered only when asked
    }

    [Fact]
    public async Task Attachments_are_uploaded_listed_downloaded_and_recorded()
    {
        var bytes = RandomNumberGenerator.GetBytes(5000);
        var (status, uploaded) = await UploadAsync(_incident, "dump\\evidence.bin", bytes, "From **WS-1**");
        Assert.Equal(200, status);
        Assert.Equal("evidence.bin", uploaded!["full_name"]!.GetValue<string>());
        Assert.Equal(5000, uploaded["file_size"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), uploaded["sha256"]!.GetValue<string>());
        var id = uploaded["attachment_id"]!.GetValue<string>();

        var listed = Assert.Single((await Mesh.OkAsync("attachments/list", new { incident_id = _incident, markdown_to_html = true }, caller: "customer")).AsArray())!;
        Assert.Equal(id, listed["attachment_id"]!.GetValue<string>());
        Assert.Equal("soc", listed["author_name"]!.GetValue<string>());
        Assert.Equal("SOC", listed["origin"]!.GetValue<string>());
        Assert.False(listed["was_read"]!.GetValue<bool>());
        Assert.Contains("<strong>WS-1</strong>", listed["caption"]!.GetValue<string>());
        var embedded = await Mesh.OkAsync("incidents/details", new { incident_id = _incident });
        Assert.Equal(id, Assert.Single(embedded["attachments"]!.AsArray())!["attachment_id"]!.GetValue<string>());

        var (clientId, token) = await Mesh.TokenAsync("customer");
        using var download = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/attachments/download")
        {
            Content = JsonContent.Create(new { attachment_id = id }),
        };
        download.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var file = await Mesh.Http.SendAsync(download);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("application/octet-stream", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", file.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", Assert.Single(file.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(bytes, await file.Content.ReadAsByteArrayAsync());

        var history = (await Mesh.OkAsync("incidents/history", new { incident_id = _incident })).AsArray();
        Assert.Contains(history, r => r!["operation"]!.GetValue<string>() == "create" && r["entity"]!["incident_attachment"] is not null);
        Assert.Contains(history, r => r!["operation"]!.GetValue<string>() == "download" && r["changed_by"]!.GetValue<string>() == "customer");
    }

    [Fact]
    public async Task A_collected_file_is_attached_to_its_incident_as_a_stand_in_that_says_so()
    {
        var incident = (await Mesh.OkAsync("incidents/create", new { summary = "Collect", tenant_id = "t-x", affected_hosts = new[] { "WS-1:ws-1" } }))
            ["incident_id"]!.GetValue<string>();
        var response = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 1 });
        await Mesh.OkAsync("response/update", new { response_id = response, status = "Confirmed", comment = "collect it" }, caller: "customer");
        await Mesh.WaitForStatusAsync(incident, response, "Completed");

        // Recorded in the same commit as the completion.
        var artifact = Assert.Single((await Mesh.OkAsync("attachments/list", new { incident_id = incident })).AsArray())!;
        Assert.Equal(response, artifact["attachment_id"]!.GetValue<string>());
        Assert.Equal("invoice.exe.standin.txt", artifact["full_name"]!.GetValue<string>());
        Assert.Contains("stand-in", artifact["caption"]!.GetValue<string>());
        var (clientId, token) = await Mesh.TokenAsync("customer");
        using var download = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/attachments/download")
        {
            Content = JsonContent.Create(new { attachment_id = response }),
        };
        download.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var file = await Mesh.Http.SendAsync(download);
        var text = await file.Content.ReadAsStringAsync();
        Assert.Contains("not the collected file", text);
        Assert.Contains(@"C:\Users\alice\invoice.exe", text);
        Assert.Equal(artifact["file_size"]!.GetValue<long>(), Encoding.UTF8.GetByteCount(text));
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_and_bad_uploads_name_the_part()
    {
        var (tooLarge, body) = await UploadAsync(_incident, "big.bin", new byte[FileLimit + 1], null);
        Assert.Equal(413, tooLarge);
        Assert.Contains("file", body!["detail"]!.GetValue<string>());

        var (clientId, token) = await Mesh.TokenAsync("soc");
        using var noMeta = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/attachments/upload")
        {
            Content = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "x.bin" } },
        };
        noMeta.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var refused = await Mesh.Http.SendAsync(noMeta);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("\"meta\"", await refused.Content.ReadAsStringAsync());

        var (missing, _) = await UploadAsync("2NJMGXkBNGNeZ5iut24S", "x.bin", [1], null);
        Assert.Equal(404, missing);
        Assert.DoesNotContain((await Mesh.OkAsync("attachments/list", new { incident_id = _incident })).AsArray(),
            a => a!["full_name"]!.GetValue<string>() == "big.bin");
    }

    [Fact]
    public async Task Ids_of_any_shape_that_name_nothing_are_404()
    {
        const string opaque = "2NJMGXkBNGNeZ5iut24S";
        foreach (var (method, body) in new (string, object)[]
                 {
                     ("incidents/details", new { incident_id = opaque }), ("incidents/history", new { incident_id = opaque }),
                     ("responses/list", new { incident_id = opaque }), ("comments/list", new { incident_id = opaque }),
                     ("comments/delete", new { comment_id = opaque }), ("attachments/download", new { attachment_id = opaque }),
                     ("response/update", new { response_id = opaque, status = "Confirmed", comment = "ok" }),
                     ("responses/update", new { responses_ids = new[] { opaque }, status = "Declined", comment = "no" }),
                     ("assets/details", new { asset_id = opaque }),
                 })
        {
            var (status, _) = await Mesh.CallAsync(method, body);
            Assert.True(status == 404, $"{method} with an opaque id answered {status}");
        }
    }

    [Fact]
    public async Task Tenant_names_filter_and_show_the_names_and_the_documented_filters_hold()
    {
        var listed = (await Mesh.OkAsync("incidents/list", new { tenants_names = new[] { "contoso" } })).AsArray();
        var incident = Assert.Single(listed)!;
        Assert.Equal("Contoso", incident["tenant_name"]!.GetValue<string>());
        Assert.True(incident["no_sla_flag"]!.GetValue<bool>());
        Assert.Empty((await Mesh.OkAsync("incidents/list", new { tenants_names = new[] { "Fabrikam" } })).AsArray());

        foreach (var (filter, matches) in new (object, bool)[]
                 {
                     (new { detection_technologies = new[] { "EDR" } }, true), (new { detection_technologies = new[] { "NDR" } }, false),
                     (new { mitre_tactics = new[] { "TA0011" } }, true), (new { mitre_tactics = new[] { "TA0001" } }, false),
                     (new { mitre_techniques = new[] { "T1071" } }, true), (new { mitre_techniques = new[] { "T1059" } }, false),
                 })
            Assert.Equal(matches ? 1 : 0, (await Mesh.OkAsync("incidents/count", filter))["count"]!.GetValue<int>());

        await Mesh.OkAsync("assets/register", new { asset_id = "ws-9", tenant_id = _tenant, host_name = "AAA-FIRST" });
        await Mesh.OkAsync("assets/register", new { asset_id = "ws-8", tenant_id = _tenant, host_name = "ZZZ-LAST" });
        var assets = (await Mesh.OkAsync("assets/list", new { tenants_names = new[] { "Contoso" }, sort = "host_name:desc", fields = new[] { "asset_id", "tenant_name" } })).AsArray();
        Assert.Equal(["ws-8", "ws-9"], assets.Select(a => a!["asset_id"]!.GetValue<string>()));
        Assert.All(assets, a => Assert.Equal(["asset_id", "tenant_name"], a!.AsObject().Select(p => p.Key).Order()));
        Assert.All(assets, a => Assert.Equal("Contoso", a!["tenant_name"]!.GetValue<string>()));
        var details = await Mesh.OkAsync("assets/details", new { asset_id = "ws-9", fields = new[] { "host_name" } });
        Assert.Equal("{\"host_name\":\"AAA-FIRST\"}", details.ToJsonString());
        var (badSort, problem) = await Mesh.CallAsync("assets/list", new { sort = "color" });
        Assert.Equal(400, badSort);
        Assert.Contains("sort", problem!.ToJsonString());
    }

    [Fact]
    public async Task History_with_ignore_self_leaves_out_the_callers_own_changes()
    {
        await Mesh.OkAsync("comments/create", new { incident_id = _incident, text = "from the customer" }, caller: "customer");
        var all = (await Mesh.OkAsync("incidents/history", new { incident_id = _incident }, caller: "customer")).AsArray();
        var others = (await Mesh.OkAsync("incidents/history", new { incident_id = _incident, ignore_self = true }, caller: "customer")).AsArray();
        Assert.Contains(all, r => r!["changed_by"]!.GetValue<string>() == "customer");
        Assert.DoesNotContain(others, r => r!["changed_by"]!.GetValue<string>() == "customer");
        Assert.Equal(all.Count(r => r!["changed_by"]!.GetValue<string>() != "customer"), others.Count);
    }

    private Task<(int Status, JsonNode? Body)> UploadAsync(string incidentId, string fileName, byte[] bytes, string? caption) =>
        Mesh.CallAsync("attachments/upload", Flow.Upload(incidentId, fileName, bytes, caption));
}
