using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MdrMesh.Console.Tests;

/// <summary>
/// The web console in a real browser against the whole mesh (the four services on real PostgreSQL and RabbitMQ): people
/// sign in, see incidents, accept or decline responses and watch them run; what they may not do, they cannot.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleTests(Infrastructure infrastructure, Browser browser) : MeshTests(infrastructure, Flow.FleetJson(Tenant))
{
    private const string Tenant = "t-console";
    private const string NewPassword = "correct horse battery staple";
    private static readonly LocatorAssertionsToHaveTextOptions Eventually30s = new() { Timeout = 30_000 };
    private readonly List<Person> _people = [];

    public override async Task DisposeAsync()
    {
        foreach (var person in _people) await person.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task The_first_administrator_must_change_the_one_time_password_before_anything_else()
    {
        var (name, oneTime) = await Mesh.ConsoleAdministratorAsync();
        var admin = await OpenAsync();
        await admin.Page.GotoAsync($"{admin.BaseUrl}/signin");
        await admin.ScreenshotAsync("sign-in");

        await admin.SignInAsync(name, oneTime);
        await admin.Page.WaitForURLAsync("**/password");
        await Expect(admin.Page.GetByTestId("must-change")).ToBeVisibleAsync();
        // Every other page leads back here until the password is changed.
        await admin.Page.GotoAsync($"{admin.BaseUrl}/incidents");
        Assert.EndsWith("/password", admin.Page.Url);

        // A password too short is refused, and the page says so beside the field.
        await admin.Page.GetByLabel("Current password").FillAsync(oneTime);
        await admin.Page.GetByLabel("New password (at least 12 characters)").FillAsync("short");
        await admin.Page.GetByLabel("New password again").FillAsync("short");
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(admin.Page.Locator("[data-field=password]")).ToContainTextAsync("at least 12 characters");

        await admin.Page.GetByLabel("Current password").FillAsync(oneTime);
        await admin.Page.GetByLabel("New password (at least 12 characters)").FillAsync(NewPassword);
        await admin.Page.GetByLabel("New password again").FillAsync(NewPassword);
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await admin.Page.WaitForURLAsync("**/incidents");

        // Signed out, the console leads to the sign-in page; the one-time password is spent; the new one works.
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await admin.Page.WaitForURLAsync("**/signin");
        await admin.Page.GotoAsync($"{admin.BaseUrl}/incidents");
        Assert.Contains("/signin", admin.Page.Url);
        await admin.SignInAsync(name, oneTime);
        await Expect(admin.Page.GetByTestId("signin-error")).ToBeVisibleAsync();
        await admin.SignInAsync(name, NewPassword);
        await admin.Page.WaitForURLAsync("**/incidents");
        await Expect(admin.Page.GetByTestId("signed-in-as")).ToHaveTextAsync(name);
    }

    [Fact]
    public async Task Incidents_are_listed_and_filtered_and_responses_waiting_for_a_decision_stand_out()
    {
        var urgent = await Mesh.OpenIncidentAsync(Tenant, "Miner on WS-1");
        await Mesh.ProposeAsync(urgent, "ISOLATE", new { isolation_term_seconds = 3600 });
        var minor = (await Mesh.OkAsync("incidents/create", new
        {
            summary = "Adware on WS-2", tenant_id = Tenant, affected_hosts = new[] { "WS-2:ws-2" }, priority = "LOW",
        }))["incident_id"]!.GetValue<string>();
        var reader = await UserAsync("reader-list", "INCIDENT_ACCESS");

        await reader.Page.GotoAsync($"{reader.BaseUrl}/incidents");
        await Expect(reader.Page.Locator($"tr[data-incident='{urgent}'] [data-testid=waiting]")).ToHaveTextAsync("1 waiting");
        await Expect(reader.Page.Locator($"tr[data-incident='{minor}']")).ToBeVisibleAsync();
        await reader.ScreenshotAsync("incidents");

        // Oldest first: the urgent one, raised first, leads.
        await reader.Page.GetByLabel("Sort").SelectOptionAsync("creation_time:asc");
        await reader.Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(reader.Page.Locator("table[data-testid=incidents] tbody tr").First).ToHaveAttributeAsync("data-incident", urgent);

        await reader.Page.GetByLabel("Priority").SelectOptionAsync("LOW");
        await reader.Page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Expect(reader.Page.Locator($"tr[data-incident='{minor}']")).ToBeVisibleAsync();
        await Expect(reader.Page.Locator($"tr[data-incident='{urgent}']")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_decider_accepts_a_response_and_sees_it_reach_Completed_without_reloading_and_history_names_them()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });
        var decider = await UserAsync("dana", "RESPONSE_MANAGEMENT");

        await decider.Page.GotoAsync($"{decider.BaseUrl}/incidents/{incident}");
        var row = decider.Page.Locator($"tr[data-response='{response}']");
        await Expect(row.Locator("[data-response-status]")).ToHaveTextAsync("New");
        await decider.ScreenshotAsync("incident");
        // Looking at the incident reveals no password; asking to see it does, and history records who asked.
        Assert.DoesNotContain(await RevealsAsync(incident), by => by == "dana");
        await row.GetByRole(AriaRole.Button, new() { Name = "Reveal password" }).ClickAsync();
        await Expect(decider.Page.GetByTestId("revealed-password")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^\\S{12,}$"));
        Assert.Contains("dana", await RevealsAsync(incident));
        await row.GetByLabel("Comment").FillAsync("isolate it");
        await row.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
        await decider.Page.WaitForURLAsync($"**/incidents/{incident}");
        // Marked after the decision's own page load: a reload would lose it.
        await decider.Page.EvaluateAsync("() => window.notReloaded = true");

        await Expect(row.Locator("[data-response-status]")).ToHaveTextAsync("Completed", Eventually30s);
        Assert.True(await decider.Page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Accept" })).ToHaveCountAsync(0);

        // Recorded under the person's name and id, as an API connection's decision is.
        var user = (await Mesh.OkAsync("users/list", new { })).AsArray().Single(u => u!["user_name"]!.GetValue<string>() == "dana")!;
        var decided = (await Mesh.HistoryAsync(incident)).Single(r =>
            r!["entity"]!["incident_response"]?["status"]?.GetValue<string>() == "Confirmed")!;
        Assert.Equal("dana", decided["changed_by"]!.GetValue<string>());
        Assert.Equal(user["user_id"]!.GetValue<string>(), decided["changed_by_id"]!.GetValue<string>());
        await Expect(decider.Page.GetByTestId("history")).ToContainTextAsync("dana");

        // The asset shows its isolation and when it ends.
        await decider.Page.GetByRole(AriaRole.Link, new() { Name = "Assets" }).ClickAsync();
        await Expect(decider.Page.Locator("tr[data-asset='ws-1'] [data-isolation]")).ToContainTextAsync("isolated until");
        await Expect(decider.Page.Locator("tr[data-asset='ws-2'] [data-isolation]")).ToHaveTextAsync("—");
        await decider.Page.GetByRole(AriaRole.Link, new() { Name = "ws-1", Exact = true }).ClickAsync();
        await Expect(decider.Page.GetByTestId("asset")).ToContainTextAsync("isolation task id");
    }

    [Fact]
    public async Task A_decider_declines_one_response_and_accepts_two_at_once()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var declined = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });
        var first = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 });
        var second = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 }, asset: "ws-2");
        var decider = await UserAsync("dmitri", "FULL_ACCESS");

        await decider.Page.GotoAsync($"{decider.BaseUrl}/incidents/{incident}");
        var declinedRow = decider.Page.Locator($"tr[data-response='{declined}']");
        await declinedRow.GetByLabel("Comment").FillAsync("not this host");
        await declinedRow.GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
        await Expect(declinedRow.Locator("[data-response-status]")).ToHaveTextAsync("Declined", Eventually30s);

        foreach (var id in new[] { first, second }) await decider.Page.Locator($"tr[data-response='{id}'] input[type=checkbox]").CheckAsync();
        await decider.Page.GetByLabel("Comment for the selected").FillAsync("collect both");
        await decider.Page.GetByRole(AriaRole.Button, new() { Name = "Accept selected" }).ClickAsync();
        foreach (var id in new[] { first, second })
            await Expect(decider.Page.Locator($"tr[data-response='{id}'] [data-response-status]")).ToHaveTextAsync("Completed", Eventually30s);
        Assert.Equal("Declined", (await Mesh.ResponseAsync(incident, declined))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_reader_sees_no_decision_and_neither_a_forged_post_nor_a_readers_own_post_decides()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });
        var reader = await UserAsync("rita", "INCIDENT_ACCESS");
        var decider = await UserAsync("derek", "RESPONSE_MANAGEMENT");

        await reader.Page.GotoAsync($"{reader.BaseUrl}/incidents/{incident}");
        await Expect(reader.Page.Locator($"tr[data-response='{response}'] [data-response-status]")).ToHaveTextAsync("New");
        await Expect(reader.Page.GetByRole(AriaRole.Button, new() { Name = "Accept" })).ToHaveCountAsync(0);
        await Expect(reader.Page.GetByRole(AriaRole.Button, new() { Name = "Reveal password" })).ToHaveCountAsync(0);

        // The reader's own post, with a valid antiforgery token taken from the page: the rights table still says no.
        var token = await reader.Page.Locator("form.signout input[name=__RequestVerificationToken]").InputValueAsync();
        var own = await reader.Context.APIRequest.PostAsync($"{reader.BaseUrl}/incidents/{incident}?handler=Decide", new()
        {
            Form = FormOf(reader.Context.APIRequest, ("responseId", response), ("status", "Confirmed"), ("__RequestVerificationToken", token)),
        });
        Assert.Equal(200, own.Status);
        Assert.Contains("Your rights do not cover response/update", await own.TextAsync());

        // A post forged elsewhere rides the decider's cookie but has no antiforgery token: refused.
        var forged = await decider.Context.APIRequest.PostAsync($"{decider.BaseUrl}/incidents/{incident}?handler=Decide", new()
        {
            Form = FormOf(decider.Context.APIRequest, ("responseId", response), ("status", "Confirmed")),
        });
        Assert.Equal(400, forged.Status);

        Assert.Equal("New", (await Mesh.ResponseAsync(incident, response))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_user_out_even_against_the_right_one()
    {
        var person = await UserAsync("lena", "INCIDENT_ACCESS");
        await person.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        for (var i = 0; i < 5; i++)
        {
            await person.SignInAsync("lena", $"wrong password {i}");
            await Expect(person.Page.GetByTestId("signin-error")).ToBeVisibleAsync();
        }
        await person.SignInAsync("lena", NewPassword);
        await Expect(person.Page.GetByTestId("signin-error")).ToBeVisibleAsync();
        Assert.Contains("/signin", person.Page.Url);
        var user = (await Mesh.OkAsync("users/list", new { })).AsArray().Single(u => u!["user_name"]!.GetValue<string>() == "lena")!;
        Assert.Equal("Locked out", user["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_SOC_analyst_proposes_an_isolation_and_a_bad_exclusion_is_named_beside_its_field()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var soc = await UserAsync("sofia", "SOC_OPERATOR");

        await soc.Page.GotoAsync($"{soc.BaseUrl}/incidents/{incident}");
        await soc.Page.GetByRole(AriaRole.Link, new() { Name = "Propose a response" }).ClickAsync();
        await soc.Page.GetByLabel("Isolation term (seconds)").FillAsync("3600");
        await soc.Page.GetByLabel("Exclusion 1: direction").SelectOptionAsync("Outbound");
        await soc.Page.GetByLabel("Exclusion 1: protocol (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6)").FillAsync("6");
        await soc.Page.GetByLabel("Exclusion 1: remote IPv4 (address or CIDR)").FillAsync("10.0.0.300");
        await soc.Page.GetByLabel("Why (shown to whoever decides)").FillAsync("Contain the miner, keep the update server");
        await soc.Page.GetByRole(AriaRole.Button, new() { Name = "Propose ISOLATE" }).ClickAsync();

        await Expect(soc.Page.Locator("[data-field='exclusion_rules[0].remote_ipv4']")).ToBeVisibleAsync();
        await Expect(soc.Page.GetByTestId("propose-error")).ToBeVisibleAsync();
        await soc.ScreenshotAsync("propose-error");
        // Nothing was proposed; corrected, it is.
        Assert.Empty((await Mesh.OkAsync("responses/list", new { incident_id = incident })).AsArray());
        await soc.Page.GetByLabel("Exclusion 1: remote IPv4 (address or CIDR)").FillAsync("10.0.0.30");
        await soc.Page.GetByRole(AriaRole.Button, new() { Name = "Propose ISOLATE" }).ClickAsync();
        await soc.Page.WaitForURLAsync($"**/incidents/{incident}");
        var proposed = Assert.Single((await Mesh.OkAsync("responses/list", new { incident_id = incident })).AsArray())!;
        Assert.Equal("10.0.0.30", proposed["parameters"]!["exclusion_rules"]![0]!["remote_ipv4"]!.GetValue<string>());
        Assert.Equal("sofia", proposed["proposed_by"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_administrator_creates_an_API_connection_whose_shown_token_works_at_session_confirm()
    {
        var admin = await UserAsync("ada", "FULL_ACCESS");

        await admin.Page.GotoAsync($"{admin.BaseUrl}/settings/connections");
        await admin.Page.GetByLabel("Name").FillAsync("siem-sync");
        await admin.Page.GetByLabel("INCIDENT_ACCESS").CheckAsync();
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();

        var clientId = await admin.Page.GetByTestId("client-id").TextContentAsync();
        var refresh = await admin.Page.GetByTestId("refresh-token").TextContentAsync();
        var (access, _) = await Mesh.ConfirmAsync(clientId!, refresh!);
        var (status, _) = await Mesh.RawCallAsync(clientId!, "incidents/list", new { }, access);
        Assert.Equal(200, status);
        // Only in the tenants the administrator reaches, and named after its maker.
        var made = (await Mesh.OkAsync("api_connections/list", new { })).AsArray().Single(c => c!["client_id"]!.GetValue<string>() == clientId)!;
        Assert.Equal([Tenant], made["tenant_ids"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("ada", made["created_by"]!.GetValue<string>());

        // Deleted, it is gone, and its tokens with it.
        await admin.Page.Locator($"tr[data-connection='{clientId}']").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(admin.Page.Locator($"tr[data-connection='{clientId}']")).ToHaveCountAsync(0);
        Assert.Equal(401, (await Mesh.RawCallAsync(clientId!, "incidents/list", new { }, access)).Status);
    }

    [Fact]
    public async Task An_administrator_adds_a_person_who_signs_in_and_disabling_them_ends_their_session()
    {
        var admin = await UserAsync("alba", "FULL_ACCESS");
        await admin.Page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await admin.Page.GetByLabel("User name").FillAsync("rory");
        await admin.Page.GetByLabel("INCIDENT_ACCESS").CheckAsync();
        await admin.Page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        var oneTime = await admin.Page.GetByTestId("one-time-password").TextContentAsync();

        var rory = await OpenAsync();
        await rory.FirstSignInAsync("rory", oneTime!, NewPassword);
        await Expect(rory.Page.GetByTestId("signed-in-as")).ToHaveTextAsync("rory");

        await admin.Page.Locator("tr[data-user='rory']").GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(admin.Page.Locator("tr[data-user='rory'] [data-user-status]")).ToHaveTextAsync("Disabled");
        await rory.Page.GotoAsync($"{rory.BaseUrl}/incidents");
        Assert.Contains("/signin", rory.Page.Url);
        await rory.SignInAsync("rory", NewPassword);
        await Expect(rory.Page.GetByTestId("signin-error")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_decider_switches_auto_accept_on_for_their_tenant_and_the_next_response_runs_without_a_person()
    {
        var decider = await UserAsync("aurora", "RESPONSE_MANAGEMENT");
        await decider.Page.GetByRole(AriaRole.Link, new() { Name = "Auto-accept" }).ClickAsync();
        await Expect(decider.Page.GetByTestId("auto-accept-mode")).ToHaveTextAsync("DISABLED");

        await decider.Page.GetByLabel("Mode").SelectOptionAsync("ALL_TENANTS");
        await decider.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(decider.Page.GetByTestId("auto-accept-mode")).ToHaveTextAsync("ALL_TENANTS");
        await Expect(decider.Page.GetByTestId("auto-accept")).ToContainTextAsync("by aurora");
        await Expect(decider.Page.GetByTestId("auto-accept-history")).ToContainTextAsync("aurora");
        await Expect(decider.Page.GetByTestId("auto-accept-history")).ToContainTextAsync("off → on");

        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var response = await Mesh.ProposeAsync(incident, "ISOLATE", new { isolation_term_seconds = 3600 });
        await Mesh.WaitForStatusAsync(incident, response, "Completed");
    }

    [Fact]
    public async Task A_decider_tries_a_rules_draft_on_past_responses_beside_it_and_saves_it_and_a_bad_field_is_named()
    {
        // A file collection a person had to accept: the draft would have accepted it on its own.
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var past = await Mesh.ProposeAsync(incident, "GET_FILE", new { path = @"C:\Users\alice\invoice.exe", max_file_size_mb = 10 });
        await Mesh.DecideAsync(past, "Confirmed", "collect it", "customer-admin");
        var decider = await UserAsync("rosa", "RESPONSE_MANAGEMENT");
        await decider.Page.GetByRole(AriaRole.Link, new() { Name = "Acceptance rules" }).ClickAsync();
        await Expect(decider.Page.GetByTestId("rules-version")).ToHaveTextAsync("v0");

        await decider.Page.GetByTestId("rules-draft").FillAsync("""
            {"time_zone": "Europe/Berlin", "rules": [{"name": "file collection", "types": ["GET_FILE"], "action": "ACCEPT"}]}
            """);
        await decider.Page.GetByRole(AriaRole.Button, new() { Name = "Simulate" }).ClickAsync();
        await Expect(decider.Page.GetByTestId("simulation-accepted")).ToHaveTextAsync("1");
        await Expect(decider.Page.GetByTestId("simulation-differences")).ToContainTextAsync("ACCEPTED_BY_PERSON");
        // Simulating saved nothing.
        await Expect(decider.Page.GetByTestId("rules-version")).ToHaveTextAsync("v0");

        await decider.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(decider.Page.GetByTestId("rules-saved")).ToContainTextAsync("version 1");
        await Expect(decider.Page.GetByTestId("rules-version")).ToHaveTextAsync("v1");
        await Expect(decider.Page.GetByTestId("rules-current")).ToContainTextAsync("Europe/Berlin");

        await decider.Page.GetByTestId("rules-draft").FillAsync("""{"rules": [{"name": "", "action": "SOMETIMES"}]}""");
        await decider.Page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(decider.Page.Locator("[data-field='rules[0].action']")).ToBeVisibleAsync();
        await Expect(decider.Page.GetByTestId("rules-version")).ToHaveTextAsync("v1");
    }

    [Fact]
    public async Task People_comment_on_an_incident_and_delete_only_their_own_comments()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        await Mesh.OkAsync("comments/create", new { incident_id = incident, text = "SOC: the miner talks to 203.0.113.7" });
        var reader = await UserAsync("carla", "INCIDENT_ACCESS");

        await reader.Page.GotoAsync($"{reader.BaseUrl}/incidents/{incident}");
        await reader.Page.GetByLabel("New comment").FillAsync("We saw it too <script>alert(1)</script>");
        await reader.Page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        var comments = reader.Page.GetByTestId("comments");
        // Shown as text, never run as markup.
        await Expect(comments).ToContainTextAsync("We saw it too <script>alert(1)</script>");
        await Expect(comments.Locator("li").Filter(new() { HasText = "SOC:" }).GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToHaveCountAsync(0);

        await comments.Locator("li").Filter(new() { HasText = "We saw it too" }).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(comments.Locator("li").Filter(new() { HasText = "We saw it too" })).ToHaveCountAsync(0);
        await Expect(comments).ToContainTextAsync("203.0.113.7");
    }

    [Fact]
    public async Task A_gateway_restart_signs_nobody_out_and_a_form_opened_before_it_still_posts()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var reader = await UserAsync("rita", "INCIDENT_ACCESS");
        await reader.Page.GotoAsync($"{reader.BaseUrl}/incidents/{incident}");
        await reader.Page.GetByLabel("New comment").FillAsync("Written before the restart");

        await Mesh.StopServiceAsync("Gateway");
        await Mesh.StartServiceAsync("Gateway");

        // The form's antiforgery token and the sign-in cookie were issued by the gateway before: both still hold.
        await reader.Page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        await Expect(reader.Page.GetByTestId("comments")).ToContainTextAsync("Written before the restart");
        await reader.Page.GotoAsync($"{reader.BaseUrl}/incidents");
        await Expect(reader.Page.GetByTestId("signed-in-as")).ToHaveTextAsync("rita");
        // The keys behind them are in the database, their secrets sealed: a copy of the database alone forges no cookie.
        await using var query = Mesh.Service("Gateway").Services.GetRequiredService<IDocumentStore>().QuerySession();
        var keys = await query.Query<MdrMesh.Gateway.WebConsole.ConsoleKey>().ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys.Where(k => k.Xml.StartsWith("<key ")), k => Assert.True(k.Xml.Contains("encryptedSecret") && !k.Xml.Contains("masterKey"), k.Xml));
    }

    [Fact]
    public async Task After_a_signing_key_rotation_sessions_hold_until_the_previous_key_is_dropped_then_people_sign_in_again()
    {
        var reader = await UserAsync("rory", "INCIDENT_ACCESS");
        var oldKey = Mesh.Settings["Access:SigningKey"];
        var newKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        await RestartGatewayAsync(new()
        {
            ["Access:SigningKey"] = newKey, ["Access:SigningKeyId"] = "k2",
            ["Access:PreviousSigningKey"] = oldKey, ["Access:PreviousSigningKeyId"] = "k1",
        });
        await reader.Page.GotoAsync($"{reader.BaseUrl}/incidents");
        await Expect(reader.Page.GetByTestId("signed-in-as")).ToHaveTextAsync("rory");

        // The console's keys no longer open: the sign-in page, not an error, and signing in works.
        await RestartGatewayAsync(new() { ["Access:SigningKey"] = newKey, ["Access:SigningKeyId"] = "k2" });
        var page = await reader.Page.GotoAsync($"{reader.BaseUrl}/incidents");
        Assert.Equal(200, page!.Status);
        Assert.Contains("/signin", reader.Page.Url);
        await reader.SignInAsync("rory", NewPassword);
        await reader.ArriveAtAsync("**/incidents", "signing in again after the rotation");
        await Expect(reader.Page.GetByTestId("signed-in-as")).ToHaveTextAsync("rory");
    }

    private async Task RestartGatewayAsync(Dictionary<string, string?> settings)
    {
        await Mesh.StopServiceAsync("Gateway");
        await Mesh.StartServiceAsync("Gateway", settings);
    }

    [Fact]
    public async Task A_SOC_analyst_raises_an_incident_and_a_missing_summary_is_named_beside_its_field()
    {
        var soc = await UserAsync("sam", "SOC_OPERATOR");
        await soc.Page.GetByRole(AriaRole.Link, new() { Name = "Raise an incident" }).ClickAsync();
        await soc.Page.GetByLabel("Tenant id").FillAsync(Tenant);
        await soc.Page.GetByLabel("Affected hosts (HOST:asset_id, comma-separated)").FillAsync("WS-1:ws-1");
        await soc.Page.GetByRole(AriaRole.Button, new() { Name = "Raise incident" }).ClickAsync();
        await Expect(soc.Page.Locator("[data-field=summary]")).ToBeVisibleAsync();

        await soc.Page.GetByLabel("Summary").FillAsync("Beaconing from WS-1");
        await soc.Page.GetByRole(AriaRole.Button, new() { Name = "Raise incident" }).ClickAsync();
        await Expect(soc.Page.Locator("h1")).ToContainTextAsync("Beaconing from WS-1");
        var raised = (await Mesh.OkAsync("incidents/list", new { search_phrase = "Beaconing" })).AsArray().Single()!;
        Assert.Equal(Tenant, raised["tenant_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_file_attached_in_the_console_is_listed_and_downloads_as_the_same_bytes()
    {
        var incident = await Mesh.OpenIncidentAsync(Tenant);
        var soc = await UserAsync("sid", "SOC_OPERATOR");
        var content = System.Text.Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>");

        await soc.Page.GotoAsync($"{soc.BaseUrl}/incidents/{incident}");
        await soc.Page.GetByLabel("File to attach").SetInputFilesAsync(new FilePayload { Name = "evidence.html", MimeType = "text/html", Buffer = content });
        await soc.Page.GetByLabel("Caption").FillAsync("what the browser fetched");
        await soc.Page.GetByRole(AriaRole.Button, new() { Name = "Attach", Exact = true }).ClickAsync();
        await Expect(soc.Page.GetByTestId("attachments")).ToContainTextAsync("evidence.html");

        // A download, never a page the browser would render.
        var download = await soc.Page.RunAndWaitForDownloadAsync(() => soc.Page.GetByRole(AriaRole.Link, new() { Name = "evidence.html" }).ClickAsync());
        Assert.Equal("evidence.html", download.SuggestedFilename);
        Assert.Equal(content, await File.ReadAllBytesAsync((await download.PathAsync())!));
        Assert.Contains(await Mesh.HistoryAsync(incident), r => r!["operation"]!.GetValue<string>() == "download" && r["changed_by"]!.GetValue<string>() == "sid");
    }

    /// <summary>Who the incident's history shows reading an isolation password.</summary>
    private async Task<List<string>> RevealsAsync(string incident) =>
        (await Mesh.HistoryAsync(incident)).Where(r => r!["operation"]!.GetValue<string>() == "reveal")
            .Select(r => r!["changed_by"]!.GetValue<string>()).ToList();

    private async Task<Person> OpenAsync()
    {
        var person = await Person.OpenAsync(browser, Mesh);
        _people.Add(person);
        return person;
    }

    /// <summary>A console user made through the API (<c>users/create</c>), signed in for the first time with a password of their own.</summary>
    private async Task<Person> UserAsync(string name, params string[] rights)
    {
        var created = await Mesh.OkAsync("users/create", new { user_name = name, rights, tenant_ids = new[] { Tenant } });
        var person = await OpenAsync();
        await person.FirstSignInAsync(name, created["one_time_password"]!.GetValue<string>(), NewPassword);
        return person;
    }

    private static IFormData FormOf(IAPIRequestContext request, params (string Name, string Value)[] fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }
}
