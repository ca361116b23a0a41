using System.Collections.Concurrent;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>
/// A SIEM-style poller, as integrations of the product run: <c>incidents/list</c> with
/// <c>min_update_time</c> = the largest <c>update_time</c> seen + 1, while hundreds of changes land
/// at once on many incidents. It must see every incident as it finally is: a change stamped at or
/// below what the poller has already read would never reach it.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class PollingTests(Infrastructure infrastructure) : MeshTests(infrastructure, Flow.FleetJson("t-p"))
{
    [Fact]
    public async Task A_poller_from_the_last_update_time_plus_one_sees_every_change()
    {
        const int Incidents = 20, CommentsEach = 15;
        var ids = new List<string>();
        for (var i = 0; i < Incidents; i++)
            ids.Add((await Mesh.OkAsync("incidents/create", new { summary = $"poll {i}", tenant_id = "t-p", affected_hosts = new[] { "ws-1" } }))
                ["incident_id"]!.GetValue<string>());

        var seen = new ConcurrentDictionary<string, int>(); // incident → comments in the newest version the poller read
        var cursor = 0L;
        var writing = true;
        async Task PollOnceAsync()
        {
            for (var page = 1; ; page++)
            {
                var batch = (await Mesh.OkAsync("incidents/list",
                    new { min_update_time = cursor + 1, sort = "update_time:asc", page, page_size = 50 }, caller: "siem")).AsArray();
                foreach (var incident in batch)
                {
                    seen[incident!["incident_id"]!.GetValue<string>()] = incident["comments"]!.AsArray().Count;
                    cursor = Math.Max(cursor, incident["update_time"]!.GetValue<long>());
                }
                if (batch.Count < 50) return;
            }
        }
        var poller = Task.Run(async () =>
        {
            while (Volatile.Read(ref writing)) await PollOnceAsync();
        });

        // Every incident gets its comments from several writers at once, all incidents at the same time.
        await Parallel.ForEachAsync(ids.SelectMany(id => Enumerable.Range(0, CommentsEach).Select(n => (id, n))),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (change, _) => await Mesh.OkAsync("comments/create", new { incident_id = change.id, text = $"change {change.n}" }));
        Volatile.Write(ref writing, false);
        await poller;
        await PollOnceAsync(); // the poller's next round after the writers stopped

        Assert.All(ids, id => Assert.Equal(CommentsEach, seen.GetValueOrDefault(id)));
    }

    /// <summary>
    /// The horizon that keeps the guarantee without a lock: a writing transaction of the service that is still open
    /// holds back what pollers are shown, since it may yet commit a change stamped before what came after it.
    /// Readers without <c>min_update_time</c> see every committed change at once.
    /// </summary>
    [Fact]
    public async Task A_poller_is_shown_a_change_only_once_no_earlier_writing_transaction_is_open()
    {
        var id = (await Mesh.OkAsync("incidents/create", new { summary = "horizon", tenant_id = "t-p", affected_hosts = new[] { "ws-1" } }))
            ["incident_id"]!.GetValue<string>();
        long UpdateTime(JsonNode incident) => incident["update_time"]!.GetValue<long>();
        var created = UpdateTime((await Eventually.ReturnsAsync(() => PolledAsync(0), list => list.Count == 1, "the new incident polled"))[0]!);

        // A transaction of the service's role that has written (holds an id) and stays open, as a slow commit would.
        await using var slow = new Npgsql.NpgsqlConnection(Mesh.DatabaseConnectionString);
        await slow.OpenAsync();
        await using var transaction = await slow.BeginTransactionAsync();
        await using (var write = new Npgsql.NpgsqlCommand("select pg_current_xact_id()", slow, transaction)) await write.ExecuteScalarAsync();

        await Mesh.OkAsync("comments/create", new { incident_id = id, text = "after the slow transaction began" });
        var details = await Mesh.OkAsync("incidents/details", new { incident_id = id });
        Assert.True(UpdateTime(details) > created);
        Assert.Empty(await PolledAsync(created + 1));

        await transaction.CommitAsync();
        var polled = await Eventually.ReturnsAsync(() => PolledAsync(created + 1), list => list.Count == 1, "the change polled once the transaction ended");
        Assert.Equal(UpdateTime(details), UpdateTime(polled[0]!));

        async Task<JsonArray> PolledAsync(long from) => (await Mesh.OkAsync("incidents/list",
            new { min_update_time = from, search_phrase = "horizon", sort = "update_time:asc" }, caller: "siem")).AsArray();
    }

    /// <summary>
    /// The SIEM sync of an existing integration, end to end: it confirms its refresh token (read from a
    /// file, newline and all), polls, writes out what is new, downloads attachments under its own size
    /// limit, confirms a response and posts a comment, and keeps polling.
    /// </summary>
    [Fact]
    public async Task A_siem_sync_sees_every_incident_comment_response_and_attachment_and_every_update_after()
    {
        const int SizeLimit = 2000;
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("siem-sync", ["FULL_ACCESS"]);
        var (token, _) = await Mesh.ConfirmAsync(clientId, refresh + "\n");
        var siem = new Siem(Mesh, clientId, token, SizeLimit);

        var incidents = new List<string>();
        var comments = new HashSet<string>();
        var attachments = new Dictionary<string, byte[]>();
        var responses = new List<(string Incident, string Response)>();
        for (var i = 0; i < 4; i++)
        {
            var incident = (await Mesh.OkAsync("incidents/create", new { summary = $"sync {i}", tenant_id = "t-p", affected_hosts = new[] { "WS-1:ws-1" } }))
                ["incident_id"]!.GetValue<string>();
            incidents.Add(incident);
            comments.Add((await Mesh.OkAsync("comments/create", new { incident_id = incident, text = $"SOC note {i}" }))["comment_id"]!.GetValue<string>());
            foreach (var size in new[] { 100, SizeLimit + 1 })
            {
                var bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(size);
                var (_, uploaded) = await Mesh.CallAsync("attachments/upload", Flow.Upload(incident, $"e{size}.bin", bytes));
                attachments[uploaded!["attachment_id"]!.GetValue<string>()] = bytes;
            }
            responses.Add((incident, await Mesh.ProposeAsync(incident, "DISABLE_ISOLATION", new { })));
            await siem.PollAsync(); // the sync runs while the SOC works
        }
        await siem.PollAsync();

        Assert.Equal(incidents.Order(), siem.Incidents.Keys.Order());
        Assert.Equal(comments.Order(), siem.Comments.Order());
        Assert.Equal(attachments.Keys.Order(), siem.Attachments.Order());
        Assert.Equal(responses.Select(r => r.Response).Order(), siem.Responses.Keys.Order());
        // Downloaded: exactly the files under its limit, byte for byte.
        Assert.Equal(attachments.Where(a => a.Value.Length <= SizeLimit).Select(a => a.Key).Order(), siem.Downloaded.Keys.Order());
        Assert.All(siem.Downloaded, d => Assert.Equal(attachments[d.Key], d.Value));

        // The responder confirms each response and comments; the sync then sees the outcomes and its own comments.
        foreach (var (incident, response) in responses)
        {
            var (status, _) = await Mesh.RawCallAsync(clientId, "response/update", new { response_id = response, status = "Confirmed", comment = "go" }, token);
            Assert.Equal(200, status);
            var (posted, comment) = await Mesh.RawCallAsync(clientId, "comments/create", new { incident_id = incident, text = "confirmed by the SIEM" }, token);
            Assert.Equal(200, posted);
            comments.Add(comment!["comment_id"]!.GetValue<string>());
        }
        foreach (var (incident, response) in responses) await Mesh.WaitForStatusAsync(incident, response, "Completed");
        await siem.PollAsync();
        Assert.Equal(comments.Order(), siem.Comments.Order());
        Assert.All(responses, r => Assert.Equal("Completed", siem.Responses[r.Response]));
    }

    /// <summary>What an integration keeps: the newest update_time it has seen, and what it has written out.</summary>
    private sealed class Siem(Mesh mesh, string clientId, string token, int sizeLimit)
    {
        private long _cursor;
        public Dictionary<string, long> Incidents { get; } = [];
        public HashSet<string> Comments { get; } = [];
        public HashSet<string> Attachments { get; } = [];
        public Dictionary<string, string> Responses { get; } = [];
        public Dictionary<string, byte[]> Downloaded { get; } = [];

        public async Task PollAsync()
        {
            for (var page = 1; ; page++)
            {
                var (status, body) = await mesh.RawCallAsync(clientId, "incidents/list",
                    new { min_update_time = _cursor + 1, sort = "update_time:asc", page, page_size = 100 }, token);
                Assert.Equal(200, status);
                var batch = body!.AsArray();
                foreach (var incident in batch)
                {
                    var id = incident!["incident_id"]!.GetValue<string>();
                    Incidents[id] = incident["update_time"]!.GetValue<long>();
                    _cursor = Math.Max(_cursor, Incidents[id]);
                    foreach (var c in incident["comments"]!.AsArray())
                        Comments.Add(c!["comment_id"]!.GetValue<string>());
                    foreach (var r in incident["responses"]!.AsArray())
                        Responses[r!["response_id"]!.GetValue<string>()] = r["status"]!.GetValue<string>();
                    foreach (var a in incident["attachments"]!.AsArray())
                    {
                        var attachment = a!["attachment_id"]!.GetValue<string>();
                        if (!Attachments.Add(attachment)) continue; // written out once, however often it is seen
                        if (a["file_size"]!.GetValue<long>() <= sizeLimit) Downloaded[attachment] = await DownloadAsync(attachment);
                    }
                }
                if (batch.Count < 100) return;
            }
        }

        private async Task<byte[]> DownloadAsync(string attachmentId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{clientId}/attachments/download")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { attachment_id = attachmentId }),
            };
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
            using var response = await mesh.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsByteArrayAsync();
        }
    }
}
