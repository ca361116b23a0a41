using MdrMesh.Gateway.Access;
using Microsoft.Extensions.Options;

namespace MdrMesh.Services.Tests;

/// <summary>Connection statuses and token rules, without a server: the clock is a value.</summary>
public class AccessUnitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static TokenService Tokens(Clock clock, string? key = null) =>
        new(Options.Create(new AccessOptions { SigningKey = key ?? Convert.ToBase64String(new byte[32]) }), clock);

    [Fact]
    public void A_connection_is_pending_until_first_use_then_active_idle_after_30_days_unused_and_revoked_for_good()
    {
        var created = new ApiConnection { Id = "c1", CreatedAt = Now };
        var active = created with { ActivatedAt = Now, LastUsedAt = Now };

        Assert.Equal("Pending activation", created.Status(Now.AddDays(90)));
        Assert.Equal("Active", active.Status(Now.AddDays(30)));
        Assert.Equal("Idle", active.Status(Now.AddDays(30).AddSeconds(1)));
        Assert.Equal("Active", (active with { LastUsedAt = Now.AddDays(29) }).Status(Now.AddDays(40)));
        Assert.Equal("Revoked", (active with { RevokedAt = Now }).Status(Now));
    }

    [Fact]
    public async Task Tokens_hold_their_client_and_family_and_expire_on_time()
    {
        var clock = new Clock(Now);
        var tokens = Tokens(clock);
        var access = tokens.IssueAccess("c1", "f1");
        var (refresh, expires) = tokens.IssueRefresh("c1", "f1", TokenService.RefreshLifetime);

        Assert.Equal(new ValidatedToken("c1", "f1"), await tokens.ValidateAsync(access, "access"));
        Assert.Equal(Now.AddDays(7), expires);
        Assert.Null(await tokens.ValidateAsync(access, "refresh"));
        Assert.Null(await tokens.ValidateAsync(refresh, "access"));

        clock.Now = Now.AddMinutes(59);
        Assert.NotNull(await tokens.ValidateAsync(access, "access"));
        clock.Now = Now.AddHours(1);
        Assert.Null(await tokens.ValidateAsync(access, "access"));
        Assert.NotNull(await tokens.ValidateAsync(refresh, "refresh"));
        clock.Now = Now.AddDays(7);
        Assert.Null(await tokens.ValidateAsync(refresh, "refresh"));
    }

    [Fact]
    // What is stored of a token (only its hash) is checked on the real tables: GatewayAbuseTests reads the access schema raw.
    public async Task A_token_signed_with_another_key_is_refused()
    {
        var clock = new Clock(Now);
        var foreign = Tokens(clock, Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray())).IssueAccess("c1", "f1");

        Assert.Null(await Tokens(clock).ValidateAsync(foreign, "access"));
    }
}
