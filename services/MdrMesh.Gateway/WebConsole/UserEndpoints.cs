using Marten;
using MdrMesh.Contracts.Validation;
using MdrMesh.Gateway.Access;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Gateway.WebConsole;

public sealed record CreateUserRequest(string? UserName,
    [property: OneOf(typeof(Rights), nameof(Rights.All))] List<string>? Rights, List<string>? TenantIds);

public sealed record UpdateUserRequest(string? UserId,
    [property: OneOf(typeof(Rights), nameof(Rights.All))] List<string>? Rights, List<string>? TenantIds);

public sealed record UserRequest(string? UserId);

/// <summary>A console user as the API shows it; <c>one_time_password</c> only in the answer that created the user.</summary>
public sealed record UserView(string UserId, string UserName, IReadOnlyList<string> Rights, IReadOnlyList<string> TenantIds, string Status,
    long CreatedAt, string CreatedBy)
{
    public string? OneTimePassword { get; init; }
}

/// <summary>
/// <c>users/create</c>, <c>list</c>, <c>update</c>, <c>disable</c>: the console's people, managed by FULL_ACCESS, with the
/// same rules as connections: a caller grants only tenants it reaches and SOC_OPERATOR only if it holds it, and sees
/// only users whose tenants are all its own. The API's handlers and the console's settings page share these.
/// </summary>
public static class UserEndpoints
{
    public const string Active = "Active";
    public const string Disabled = "Disabled";
    public const string LockedOut = "Locked out";
    public const string PasswordChangeRequired = "Password change required";

    public static Task<IResult> Create(CreateUserRequest request, HttpContext context, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        CreateAsync(request, context.Connection(), store, clock, ct);

    public static Task<IResult> List(HttpContext context, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        ListAsync(context.Connection(), store, clock, ct);

    public static Task<IResult> Update(UpdateUserRequest request, HttpContext context, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        UpdateAsync(request, context.Connection(), store, clock, ct);

    public static Task<IResult> Disable(UserRequest request, HttpContext context, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        DisableAsync(request.UserId, context.Connection(), store, clock, ct);

    /// <summary>Disables a user; their sessions end at their next request (the session stamp changes).</summary>
    public static Task<IResult> DisableAsync(string? userId, IActor caller, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        ChangeAsync(userId, caller, store, clock, ct,
            user => user with { DisabledAt = user.DisabledAt ?? clock.GetUtcNow(), SessionStamp = SignInRules.NewSessionStamp() });

    public static async Task<IResult> CreateAsync(CreateUserRequest request, IActor caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        var name = new Check(errors, "user_name");
        name.NonEmpty(request.UserName, 128);
        if (request.UserName is { Length: > 0 } given && (given.Any(char.IsControl) || given.Trim() != given))
            name.Fail("must not hold control characters or start or end with spaces");
        else if (request.UserName is { Length: > 0 } && ConnectionEndpoints.ImitatesSystemActor(request.UserName))
            name.Fail("must not be the name of a system actor (auto-accept, mdrmesh, executor, first start)");
        CheckScope(errors, request.Rights, request.TenantIds, caller);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (Refused(request.Rights!, request.TenantIds, caller) is { } refused) return refused;

        var password = SignInRules.OneTimePassword();
        var now = clock.GetUtcNow();
        var user = new ConsoleUser
        {
            Id = AccessStore.NewId("u"), Name = request.UserName!, PasswordHash = SignInRules.Hash(password), Rights = request.Rights!.Distinct().ToList(),
            AllTenants = request.TenantIds is not { Count: > 0 }, TenantIds = request.TenantIds?.Distinct().ToList() ?? [],
            MustChangePassword = true, CreatedAt = now, CreatedBy = caller.Name, SessionStamp = SignInRules.NewSessionStamp(),
        };
        // The same name created at the same moment: the unique index lets one through; the other, decided again, finds it.
        var created = await store.WriteAsync(null, async session =>
        {
            if (await session.Query<ConsoleUser>().AnyAsync(u => u.Name.Equals(user.Name, StringComparison.OrdinalIgnoreCase), ct)) return false;
            session.Insert(user);
            return true;
        }, ct);
        if (!created) return ApiProblems.Conflict("A user of this name exists (names are compared ignoring case).");
        return Results.Ok(View(user, now) with { OneTimePassword = password });
    }

    public static async Task<IResult> ListAsync(IActor caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var now = clock.GetUtcNow();
        var users = await query.Query<ConsoleUser>().OrderBy(u => u.CreatedAt).ToListAsync(ct);
        return Results.Ok(users.Where(u => Visible(caller, u)).Select(u => View(u, now)).ToList());
    }

    public static async Task<IResult> UpdateAsync(UpdateUserRequest request, IActor caller, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new List<ValidationError>();
        CheckScope(errors, request.Rights, request.TenantIds, caller);
        if (errors.Count > 0) return ApiProblems.BadRequest(errors);
        if (Refused(request.Rights!, request.TenantIds, caller) is { } refused) return refused;
        return await ChangeAsync(request.UserId, caller, store, clock, ct, user => user with
        {
            Rights = request.Rights!.Distinct().ToList(), AllTenants = request.TenantIds is not { Count: > 0 },
            TenantIds = request.TenantIds?.Distinct().ToList() ?? [], SessionStamp = SignInRules.NewSessionStamp(),
        });
    }

    public static async Task<IResult> ChangeAsync(string? userId, IActor caller, IDocumentStore store, TimeProvider clock, CancellationToken ct,
        Func<ConsoleUser, ConsoleUser> change)
    {
        if (string.IsNullOrEmpty(userId)) return ApiProblems.BadRequest("user_id", "is required");
        // A change made meanwhile by someone else is kept: this one is applied again on top of it.
        var changed = await store.WriteAsync(null, async session =>
        {
            var user = await session.LoadAsync<ConsoleUser>(userId, ct);
            if (user is null || !Visible(caller, user)) return null;
            var changed = change(user);
            session.Update(changed);
            return changed;
        }, ct);
        return changed is null ? ApiProblems.NotFound("The user") : Results.Ok(View(changed, clock.GetUtcNow()));
    }

    private static void CheckScope(List<ValidationError> errors, List<string>? rights, List<string>? tenantIds, IActor caller)
    {
        if (rights is not { Count: > 0 }) new Check(errors, "rights").Fail($"is required: one or more of {string.Join(", ", Rights.All)}");
        for (var i = 0; i < (rights?.Count ?? 0); i++) new Check(errors, "rights").Item(i).OneOf(rights![i], Rights.All);
        for (var i = 0; i < (tenantIds?.Count ?? 0); i++) new Check(errors, "tenant_ids").Item(i).NonEmpty(tenantIds![i], 128);
        if (tenantIds is { Count: > 64 }) new Check(errors, "tenant_ids").Fail("must hold at most 64 tenants");
        if (tenantIds is not { Count: > 0 } && !caller.AllTenants) new Check(errors, "tenant_ids").Fail("is required: the tenants the user may reach");
    }

    private static IResult? Refused(List<string> rights, List<string>? tenantIds, IActor caller)
    {
        if (rights.Contains(Rights.SocOperator) && !caller.Holds(Rights.SocOperator))
            return Results.Problem(statusCode: 403, title: "Only a SOC operator grants SOC_OPERATOR.");
        return tenantIds?.FirstOrDefault(t => !caller.CanReach(t)) is not null ? ApiProblems.NotFound("A tenant") : null;
    }

    // A customer's administrator sees the users whose tenants are all theirs.
    private static bool Visible(IActor caller, ConsoleUser user) => caller.AllTenants || (!user.AllTenants && user.TenantIds.All(caller.CanReach));

    public static string StatusOf(ConsoleUser u, DateTimeOffset now) =>
        u.DisabledAt is not null ? Disabled : u.LockedUntil > now ? LockedOut : u.MustChangePassword ? PasswordChangeRequired : Active;

    private static UserView View(ConsoleUser u, DateTimeOffset now) => new(u.Id, u.Name, u.Rights, u.AllTenants ? [Caller.AllTenants] : u.TenantIds,
        StatusOf(u, now), u.CreatedAt.ToUnixMs(), u.CreatedBy);
}
