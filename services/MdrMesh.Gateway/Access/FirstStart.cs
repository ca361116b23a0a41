using MdrMesh.ServiceDefaults;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// On the first start (no connection exists), creates a connection holding SOC_OPERATOR and
/// FULL_ACCESS over every tenant, and writes its client_id and one-time refresh token to
/// <see cref="AccessOptions.BootstrapCredentialsFile"/>; with no console user either, the console's
/// <see cref="ConsoleAdministrator"/> with the same rights, its one-time password in <see cref="ConsoleCredentialsFile"/>
/// beside it. Neither secret is ever logged.
/// </summary>
public sealed class FirstStart(IDocumentStore store, TokenService tokens, TimeProvider clock, IOptions<AccessOptions> options,
    ILogger<FirstStart> log) : IHostedService
{
    public const string Name = "MdrMesh administrator";

    /// <summary>The web console's first user, with the same rights; its one-time password goes beside the credentials file.</summary>
    public const string ConsoleAdministrator = "admin";
    public const string ConsoleCredentialsFile = "console-admin.json";

    public async Task StartAsync(CancellationToken ct)
    {
        bool connections, users;
        await using (var query = store.QuerySession())
            (connections, users) = (await query.Query<ApiConnection>().AnyAsync(ct), await query.Query<WebConsole.ConsoleUser>().AnyAsync(ct));
        if (connections && users) return;
        if (options.Value.BootstrapCredentialsFile is not { Length: > 0 } file)
        {
            log.LogWarning("No connection or console user exists and Access:BootstrapCredentialsFile is not set: nobody can sign in yet");
            return;
        }
        if (!users) await CreateConsoleAdministratorAsync(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, ConsoleCredentialsFile), ct);
        if (!connections) await CreateConnectionAsync(file, ct);
    }

    private async Task CreateConsoleAdministratorAsync(string file, CancellationToken ct)
    {
        var password = WebConsole.SignInRules.OneTimePassword();
        var user = new WebConsole.ConsoleUser
        {
            Id = AccessStore.NewId("u"), Name = ConsoleAdministrator, PasswordHash = WebConsole.SignInRules.Hash(password),
            Rights = [Rights.SocOperator, Rights.FullAccess], AllTenants = true, MustChangePassword = true, CreatedAt = clock.GetUtcNow(),
            CreatedBy = "first start", SessionStamp = WebConsole.SignInRules.NewSessionStamp(),
        };
        await using (var session = store.LightweightSession())
        {
            session.Insert(user);
            await session.SaveChangesAsync(ct);
        }
        await WriteOwnerOnlyAsync(file, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["console_url"] = options.Value.PublicUrl.TrimEnd('/') + "/",
            ["user_name"] = user.Name,
            ["one_time_password"] = password,
        }), ct);
        log.LogInformation("First start: created console user {UserId} ({Name}); its one-time password is in {File}", user.Id, user.Name, file);
    }

    private async Task CreateConnectionAsync(string file, CancellationToken ct)
    {
        var connection = new ApiConnection
        {
            Id = AccessStore.NewId("c"), Name = Name, Rights = [Rights.SocOperator, Rights.FullAccess], AllTenants = true,
            CreatedAt = clock.GetUtcNow(), CreatedBy = "first start",
        };
        var refresh = await ConnectionEndpoints.StoreAsync(store, connection, tokens, ct)
                      ?? throw new InvalidOperationException($"A connection named '{Name}' exists already; first start makes it only once.");
        var credentials = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            // What an integration's configuration expects: the base up to /api/v1, the client id beside it.
            ["api_url"] = $"{options.Value.PublicUrl.TrimEnd('/')}/api/v1",
            ["client_id"] = connection.Id,
            ["refresh_token"] = refresh,
        });
        await WriteOwnerOnlyAsync(file, credentials, ct);
        log.LogInformation("First start: created connection {ClientId} ({Name}); its credentials are in {File}", connection.Id, Name, file);
    }

    private static async Task WriteOwnerOnlyAsync(string file, string content, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        // Readable by the owner only from its first byte: created with mode 600, never chmod-ed after the fact.
        File.Delete(file);
        var open = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) open.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var stream = new FileStream(file, open);
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(content), ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
