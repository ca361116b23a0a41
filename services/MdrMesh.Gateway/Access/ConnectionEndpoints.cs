using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.Access;

public sealed record CreateConnectionRequest(string? Name,
    [property: OneOf(typeof(Rights), nameof(Rights.All))] List<string>? Rights, List<string>? TenantIds);

public sealed record ConnectionRequest(string? ClientId);

/// <summary><c>api_connections/list</c>: a page, oldest connection first. The body is optional: a caller that sends none gets the first page.</summary>
public sealed record ListConnectionsRequest(int? Page, int? PageSize);

/// <summary><c>api_connections/create</c>, <c>list</c>, <c>revoke</c>, <c>delete</c>.</summary>
public static class ConnectionEndpoints
{
    public const string CreateMethod = "api_connections/create";

    /// <summary>
    /// With an <c>Idempotency-Key</c>, the answer is stored in the commit that creates the connection, sealed (it holds the
    /// refresh token); a retry gets the same connection and the same token again, none is minted anew.
    /// </summary>
    public static Task<IResult> Create(CreateConnectionRequest request, HttpContext context, IdempotencyKey key, TokenService tokens,
        AnswerSealer sealer, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        key.Problem is { } badKey ? Task.FromResult(badKey) : CreateAsync(request, context.Connection(), tokens, store, clock, ct, key, sealer);

    /// <summary>
    /// A new connection made by <paramref name="caller"/> (a connection through the API, or a console user). The console sends
    /// no <paramref name="key"/>; the API's well-formed key comes with the <paramref name="sealer"/> of its stored answer.
    /// </summary>
    public static async Task<IResult> CreateAsync(CreateConnectionRequest request, IActor caller, TokenService tokens, IDocumentStore store,
        TimeProvider clock, CancellationToken ct, IdempotencyKey? key = null, AnswerSealer? sealer = null)
    {
        var errors = new List<ValidationError>();
        new Check(errors, "name").NonEmpty(request.Name, 256);
        if (request.Rights is not { Count: > 0 }) new Check(errors, "rights").Fail($"is required: one or more of {string.Join(", ", Rights.All)}");
        for (var i = 0; i < (request.Rights?.Count ?? 0); i++) new Check(errors, "rights").Item(i).OneOf(request.Rights![i], Rights.All);
        for (var i = 0; i < (request.TenantIds?.Count ?? 0); i++) new Check(errors, "tenant_ids").Item(i).NonEmpty(request.TenantIds![i], 128);
        if (request.TenantIds is not { Count: > 0 } && !caller.AllTenants)
            new Check(errors, "tenant_ids").Fail("is required: the tenants the connection may reach");
        if (errors.Count == 0 && ImitatesSystemActor(request.Name!))
            new Check(errors, "name").Fail("must not be the name of a system actor (auto-accept, mdrmesh, executor, first start)");
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (request.Rights!.Contains(Rights.SocOperator) && !caller.Holds(Rights.SocOperator))
            return Results.Problem(statusCode: 403, title: "Only a SOC operator grants SOC_OPERATOR.");
        if (request.TenantIds?.FirstOrDefault(t => !caller.CanReach(t)) is not null) return ApiProblems.NotFound("A tenant");

        var now = clock.GetUtcNow();
        var connection = new ApiConnection
        {
            Id = AccessStore.NewId("c"), Name = request.Name!, Rights = request.Rights.Distinct().ToList(),
            AllTenants = request.TenantIds is not { Count: > 0 }, TenantIds = request.TenantIds?.Distinct().ToList() ?? [],
            CreatedAt = now, CreatedBy = caller.Name,
        };
        var idempotent = sealer is null ? null : key?.For(caller.Id, CreateMethod, request);
        try
        {
            return await StoreAsync(store, connection, tokens, idempotent, sealer, ct) is { } refresh
                ? Results.Ok(View(connection, now) with { RefreshToken = refresh })
                : NameTaken;
        }
        catch (AlreadyAnswered answered)
        {
            return idempotent!.Replay(answered.Record, body => sealer!.Open(body, idempotent.SealingId));
        }
    }

    private static readonly IResult NameTaken =
        ApiProblems.Conflict("A connection of this name exists (names are compared ignoring case); a name identifies one author.");

    private static readonly string[] SystemActors = ["mdrmesh", "executor", "first start", FirstStart.Name.ToLowerInvariant()];

    /// <summary>A name that would read as the system's own actions in the history (e.g. "Auto-accept setting v3").</summary>
    public static bool ImitatesSystemActor(string name)
    {
        var normalized = string.Join(' ', name.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return normalized.StartsWith("auto-accept", StringComparison.Ordinal) || normalized.StartsWith("auto accept", StringComparison.Ordinal)
            || normalized.StartsWith("auto_accept", StringComparison.Ordinal) || SystemActors.Contains(normalized);
    }

    /// <summary>
    /// Stores a new connection and its first refresh token (24 h) and returns the token; null when a connection of its name
    /// exists (the same name created at the same moment: the unique index lets one through, and the other, decided again, finds it).
    /// </summary>
    public static Task<string?> StoreAsync(IDocumentStore store, ApiConnection connection, TokenService tokens, CancellationToken ct) =>
        StoreAsync(store, connection, tokens, null, null, ct);

    /// <summary>
    /// As above; with <paramref name="idempotent"/>, throws <see cref="AlreadyAnswered"/> when its key has an answer, otherwise
    /// inserts the answer, sealed, in the same commit: a retry finds its own connection's answer, not a name taken. Concurrent
    /// retries that read before the first committed collide on the name (or the record's id) and, decided again, find the answer.
    /// </summary>
    private static Task<string?> StoreAsync(IDocumentStore store, ApiConnection connection, TokenService tokens, Idempotent? idempotent,
        AnswerSealer? sealer, CancellationToken ct) =>
        store.WriteAsync<string?>(null, async session =>
        {
            var nameTaken = await session.Query<ApiConnection>().AnyAsync(c => c.Name.Equals(connection.Name, StringComparison.OrdinalIgnoreCase), ct);
            // The key after the name: a concurrent retry that committed before the name was read is seen by this read too, so
            // its answer is replayed rather than its connection's name found taken.
            if (idempotent is not null) await idempotent.ThrowIfAnsweredAsync(session, ct);
            if (nameTaken) return null;
            var (refresh, expires) = tokens.IssueRefresh(connection.Id, AccessStore.NewId("f"), TokenService.FirstRefreshLifetime);
            session.Store(connection);
            session.Store(new RefreshTokenRecord(TokenService.Hash(refresh), connection.Id, "", expires));
            idempotent?.Insert(session, View(connection, connection.CreatedAt) with { RefreshToken = refresh }, connection.CreatedAt,
                body => sealer!.Seal(body, idempotent.SealingId));
            return refresh;
        }, ct);

    public static Task<IResult> List(ListConnectionsRequest? request, HttpContext context, IDocumentStore store, TimeProvider clock,
        CancellationToken ct) => ListAsync(request, context.Connection(), store, clock, ct);

    /// <summary>The page of the connections the caller sees, chosen, sorted and cut by PostgreSQL.</summary>
    public static async Task<IResult> ListAsync(ListConnectionsRequest? request, IActor caller, IDocumentStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var (skip, take) = Paging.Window(request?.Page, request?.PageSize);
        await using var query = store.QuerySession();
        var page = await VisibleTo(caller, query.Query<ApiConnection>()).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id).Skip(skip).Take(take)
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        return Results.Ok((await AccessStore.UsedAsync(query, page, ct)).Select(c => View(c, now)).ToList());
    }

    public static Task<IResult> Revoke(ConnectionRequest request, HttpContext context, IDocumentStore store, TimeProvider clock,
        CancellationToken ct) => RevokeAsync(request, context.Connection(), store, context.RequestServices.GetRequiredService<ConnectionCache>(), clock, ct);

    public static async Task<IResult> RevokeAsync(ConnectionRequest request, IActor caller, IDocumentStore store, ConnectionCache cache, TimeProvider clock,
        CancellationToken ct) =>
        await ChangeAsync(request, caller, store, cache, clock, ct, (session, connection, now) =>
        {
            session.Store(connection with { RevokedAt = connection.RevokedAt ?? now });
            return connection with { RevokedAt = connection.RevokedAt ?? now };
        });

    public static Task<IResult> Delete(ConnectionRequest request, HttpContext context, IDocumentStore store, TimeProvider clock,
        CancellationToken ct) => DeleteAsync(request, context.Connection(), store, context.RequestServices.GetRequiredService<ConnectionCache>(), clock, ct);

    public static async Task<IResult> DeleteAsync(ConnectionRequest request, IActor caller, IDocumentStore store, ConnectionCache cache, TimeProvider clock,
        CancellationToken ct) =>
        await ChangeAsync(request, caller, store, cache, clock, ct, (session, connection, _) =>
        {
            session.Delete(connection);
            session.DeleteWhere<RefreshTokenRecord>(r => r.ClientId == connection.Id);
            session.Delete<ConnectionUse>(connection.Id);
            return connection;
        });

    private static async Task<IResult> ChangeAsync(ConnectionRequest request, IActor caller, IDocumentStore store, ConnectionCache cache,
        TimeProvider clock, CancellationToken ct, Func<IDocumentSession, ApiConnection, DateTimeOffset, ApiConnection> change)
    {
        if (string.IsNullOrEmpty(request.ClientId)) return ApiProblems.BadRequest("client_id", "is required");
        await using var session = store.LightweightSession();
        var connection = await session.LoadAsync<ApiConnection>(request.ClientId, ct);
        if (connection is null || !Visible(caller, connection)) return ApiProblems.NotFound("The connection");
        var now = clock.GetUtcNow();
        var changed = change(session, connection, now);
        await session.SaveChangesAsync(ct);
        cache.Evict(connection.Id);
        return Results.Ok(View(changed, now));
    }

    // A customer's administrator sees the connections whose tenants are all theirs.
    private static bool Visible(IActor caller, ApiConnection other) =>
        caller.AllTenants || (!other.AllTenants && other.TenantIds.All(caller.CanReach));

    // The same rule as a query: the connection's tenants a subset of the caller's (JSON containment, <@).
    private static IQueryable<ApiConnection> VisibleTo(IActor caller, IQueryable<ApiConnection> connections)
    {
        if (caller.AllTenants) return connections;
        var tenants = caller.TenantIds.ToArray();
        return connections.Where(c => !c.AllTenants && c.TenantIds.IsSubsetOf(tenants));
    }

    public sealed record ConnectionView(string ClientId, string Name, IReadOnlyList<string> Rights, IReadOnlyList<string> TenantIds, string Status,
        long CreatedAt, string CreatedBy, long? LastUsedAt)
    {
        public string? RefreshToken { get; init; }
    }

    private static ConnectionView View(ApiConnection c, DateTimeOffset now) => new(c.Id, c.Name, c.Rights,
        c.AllTenants ? [Caller.AllTenants] : c.TenantIds, c.Status(now), c.CreatedAt.ToUnixMs(), c.CreatedBy, c.LastUsedAt?.ToUnixMs());
}
