using Marten;
using MdrMesh.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace MdrMesh.Gateway.Access;

public sealed record ConfirmRequest(string? RefreshToken);

/// <summary>
/// <c>session/confirm</c>: a refresh token in, a new access token and a new refresh token out. A
/// refresh token works once; presented again within <see cref="AccessOptions.RefreshReuseGrace"/>
/// of its first use it is a client's retry (a lost answer, a race of its own threads) and gets a
/// new pair of the same chain; presented later, someone else holds a copy and the chain is revoked.
/// </summary>
public static class SessionEndpoints
{
    public const string Method = "session/confirm";

    public static async Task<IResult> Confirm(string client_id, ConfirmRequest request, TokenService tokens, IDocumentStore store, ConnectionCache connections, TimeProvider clock,
        IOptions<AccessOptions> options, CancellationToken ct)
    {
        // A token read from a file often ends with a newline: the token is what it contains.
        var presented = request.RefreshToken?.Trim();
        if (string.IsNullOrEmpty(presented)) return ApiProblems.BadRequest("refresh_token", "is required");
        if (await tokens.ValidateAsync(presented, "refresh") is not { } token || token.ClientId != client_id) return Refused;

        // Presentations racing with one token: the version check of its record lets exactly one mark it used; the
        // others, decided again, see it used and are judged as retries.
        var (answer, revoked) = await store.WriteAsync(null,
            session => ConfirmOnceAsync(session, presented, token, tokens, clock.GetUtcNow(), options.Value.RefreshReuseGrace, ct), ct);
        if (revoked is not null) connections.Evict(revoked);
        return answer;
    }

    private static readonly IResult Refused = Results.Problem(statusCode: 401, title: "The refresh token is not valid.");

    /// <summary>The answer, and the connection whose cached state is stale once this commits (a chain cut off).</summary>
    private static async Task<(IResult Answer, string? Revoked)> ConfirmOnceAsync(IDocumentSession session, string presented, ValidatedToken token,
        TokenService tokens, DateTimeOffset now, TimeSpan grace, CancellationToken ct)
    {
        var record = await session.LoadAsync<RefreshTokenRecord>(TokenService.Hash(presented), ct);
        var connection = await session.LoadAsync<ApiConnection>(token.ClientId, ct);
        if (record is null || connection is null || connection.RevokedAt is not null || connection.RevokedFamilies.Contains(token.Family)) return (Refused, null);

        if (record.UsedAt is { } usedAt && now - usedAt > grace)
        {
            // Presented again long after: someone else holds a copy. Cut off the whole chain, the holder of the newer tokens included.
            session.Store(connection with { RevokedFamilies = [.. connection.RevokedFamilies, token.Family] });
            return (Results.Problem(statusCode: 401, title: "The refresh token was already used: its token chain is revoked."), connection.Id);
        }
        if (record.UsedAt is null)
        {
            session.Store(record with { UsedAt = now });
            if (connection.ActivatedAt is null) session.Store(connection with { ActivatedAt = now });
        }
        var (refresh, expires) = tokens.IssueRefresh(connection.Id, token.Family, TokenService.RefreshLifetime);
        session.Insert(new RefreshTokenRecord(TokenService.Hash(refresh), connection.Id, token.Family, expires));
        session.Store(new ConnectionUse(connection.Id, now));
        return (Results.Ok(new SessionTokens(tokens.IssueAccess(connection.Id, token.Family), refresh)), null);
    }
}

/// <summary>A new access token, and the refresh token to use next time (the one sent is spent).</summary>
public sealed record SessionTokens(string AccessToken, string RefreshToken);
