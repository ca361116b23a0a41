using System.Collections.Concurrent;
using MdrMesh.Gateway.Access;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Security.Tests;

/// <summary>
/// Every spelling of every method's path, sent as raw bytes: without a token nothing but 401 or
/// 404; with a token the same answer as the canonical path, or 404. Decisions follow the endpoint
/// routing matched, never the text of the path.
/// </summary>
[Collection(InfrastructureCollection.Name)]
public sealed class GatewayPathTests(Infrastructure infrastructure) : MeshTests(infrastructure)
{
    private static IEnumerable<(string Name, string Path)> Spellings(string clientId, string method)
    {
        var (group, action) = (method[..method.IndexOf('/')], method[(method.IndexOf('/') + 1)..]);
        var mixed = string.Concat(method.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c));
        yield return ("API/V1 upper", $"/API/V1/{clientId}/{method}");
        yield return ("Api/v1 mixed", $"/Api/v1/{clientId}/{method}");
        yield return ("method upper", $"/api/v1/{clientId}/{method.ToUpperInvariant()}");
        yield return ("method mixed", $"/api/V1/{clientId}/{mixed}");
        yield return ("leading double slash", $"//api/v1/{clientId}/{method}");
        yield return ("double slash after api", $"/api//v1/{clientId}/{method}");
        yield return ("double slash in method", $"/api/v1/{clientId}/{group}//{action}");
        yield return ("trailing slash", $"/api/v1/{clientId}/{method}/");
        yield return ("encoded letters", $"/%61pi/v%31/{clientId}/%{(int)method[0]:X2}{method[1..]}");
        yield return ("encoded slash", $"/api/v1/{clientId}/{group}%2F{action}");
        yield return ("encoded slash lower", $"/api/v1/{clientId}/{group}%2f{action}");
        yield return ("dot segment", $"/api/./v1/{clientId}/./{method}");
        yield return ("dot-dot segment", $"/api/x/../v1/{clientId}/{group}/x/../{action}");
        yield return ("encoded dot-dot", $"/api/v1/{clientId}/x/%2E%2E/{method}");
        yield return ("encoded dot-dot and slash", $"/api/v1/{clientId}/x%2F..%2F{method}");
    }

    private async Task<List<string>> CheckAllAsync(Func<string, string, int, int?, string?> judge, string clientId, string? bearer,
        IReadOnlyDictionary<string, int>? canonical)
    {
        var gateway = Mesh.Http.BaseAddress!;
        var failures = new ConcurrentBag<string>();
        var cases = ApiMethods.All.Select(m => m.Name).SelectMany(m => Spellings(clientId, m).Select(s => (Method: m, s.Name, s.Path))).ToList();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, _) =>
        {
            var status = await GatewayRawHttp.PostAsync(gateway, c.Path, "{}", bearer);
            if (judge(c.Method, c.Name, status, canonical?.GetValueOrDefault(c.Method)) is { } failure) failures.Add($"{c.Path}: {failure}");
        });
        return failures.Order().ToList();
    }

    [Fact]
    public async Task Without_a_token_every_spelling_of_every_method_is_401_or_404()
    {
        var clientId = Mesh.FirstCredentials.ClientId;
        var failures = await CheckAllAsync((_, _, status, _) => status is 401 or 404 ? null : $"{status}", clientId, null, null);
        // A token of the connection named in the path, but not an access token: refused all the same.
        failures.AddRange(await CheckAllAsync((_, _, status, _) => status is 401 or 404 ? null : $"{status} (refresh token as bearer)",
            clientId, Mesh.FirstCredentials.RefreshToken, null));
        Assert.Empty(failures);
    }

    [Fact]
    public async Task With_a_token_every_spelling_answers_as_the_canonical_path_or_404()
    {
        await Mesh.OkAsync("tenants/list", new { });
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("path-walker", ["SOC_OPERATOR", "FULL_ACCESS"]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        var gateway = Mesh.Http.BaseAddress!;
        var canonical = new Dictionary<string, int>();
        foreach (var method in ApiMethods.All.Select(m => m.Name))
            canonical[method] = await GatewayRawHttp.PostAsync(gateway, $"/api/v1/{clientId}/{method}", "{}", access);
        Assert.All(canonical, c => Assert.True(c.Value is >= 200 and < 500 and not 401 and not 403, $"{c.Key}: {c.Value}"));

        var failures = await CheckAllAsync((_, _, status, expected) => status == expected || status == 404 ? null : $"{status}, canonical {expected}",
            clientId, access, canonical);
        Assert.Empty(failures);
    }

    [Fact]
    public async Task An_unknown_method_is_404_with_or_without_a_token()
    {
        var (clientId, refresh) = await Mesh.CreateConnectionAsync("unknown-caller", ["FULL_ACCESS"]);
        var (access, _) = await Mesh.ConfirmAsync(clientId, refresh);
        foreach (var method in new[] { "incidents/explode", "incidents", "admin/users/list", "api_connections/list/extra", "health" })
        {
            Assert.Equal(404, (await Mesh.RawCallAsync(clientId, method, new { }, access)).Status);
            Assert.Equal(404, (await Mesh.RawCallAsync(clientId, method, new { }, null)).Status);
        }
    }
}
