using Marten;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.Access;

public sealed record ConfirmRequest(string? RefreshToken);

/// <summary><c>session/confirm</c>: a refresh token in, a new access token and a new refresh token out. Each refresh token works once.</summary>
public static class SessionEndpoints
{
    public static async Task<IResult> Confirm(string client_id, ConfirmRequest request, TokenService tokens, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.RefreshToken)) return ApiProblems.BadRequest("refresh_token", "is required");
        var refused = Results.Problem(statusCode: 401, title: "The refresh token is not valid.");
        if (await tokens.ValidateAsync(request.RefreshToken, "refresh") is not { } token || token.ClientId != client_id) return refused;

        await using var session = store.LightweightSession();
        var record = await session.LoadAsync<RefreshTokenRecord>(TokenService.Hash(request.RefreshToken), ct);
        var connection = await session.LoadAsync<ApiConnection>(token.ClientId, ct);
        if (record is null || connection is null || connection.RevokedAt is not null || connection.RevokedFamilies.Contains(token.Family)) return refused;

        var now = clock.GetUtcNow();
        if (record.UsedAt is not null)
        {
            // Presented twice: someone else holds a copy. Cut off the whole chain, the holder of the newer tokens included.
            session.Store(connection with { RevokedFamilies = [.. connection.RevokedFamilies, token.Family] });
            await session.SaveChangesAsync(ct);
            return Results.Problem(statusCode: 401, title: "The refresh token was already used: its token chain is revoked.");
        }

        var (refresh, expires) = tokens.IssueRefresh(connection.Id, token.Family, TokenService.RefreshLifetime);
        session.Store(record with { UsedAt = now });
        session.Store(new RefreshTokenRecord(TokenService.Hash(refresh), connection.Id, token.Family, expires));
        session.Store(connection with { ActivatedAt = connection.ActivatedAt ?? now, LastUsedAt = now });
        // Two confirms racing with one token: the version check lets one through.
        await session.SaveChangesAsync(ct);
        return Results.Ok(new { access_token = tokens.IssueAccess(connection.Id, token.Family), refresh_token = refresh });
    }
}
