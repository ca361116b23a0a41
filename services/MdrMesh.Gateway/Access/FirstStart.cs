using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;

namespace MdrMesh.Gateway.Access;

/// <summary>
/// On the first start (no connection exists), creates a connection holding SOC_OPERATOR and
/// FULL_ACCESS over every tenant, and writes its client_id and one-time refresh token to
/// <see cref="AccessOptions.BootstrapCredentialsFile"/>. The token itself is never logged.
/// </summary>
public sealed class FirstStart(IDocumentStore store, TokenService tokens, TimeProvider clock, IOptions<AccessOptions> options,
    ILogger<FirstStart> log) : IHostedService
{
    public const string Name = "MdrMesh administrator";

    public async Task StartAsync(CancellationToken ct)
    {
        await using (var query = store.QuerySession())
            if (await query.Query<ApiConnection>().AnyAsync(ct)) return;
        if (options.Value.BootstrapCredentialsFile is not { Length: > 0 } file)
        {
            log.LogWarning("No connection exists and Access:BootstrapCredentialsFile is not set: nobody can call the API yet");
            return;
        }
        var connection = new ApiConnection
        {
            Id = AccessStore.NewId("c"), Name = Name, Rights = [Rights.SocOperator, Rights.FullAccess], AllTenants = true,
            CreatedAt = clock.GetUtcNow(), CreatedBy = "first start",
        };
        var refresh = await ConnectionEndpoints.StoreAsync(store, connection, tokens, ct);
        var credentials = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            // What an integration's configuration expects: the base up to /api/v1, the client id beside it.
            ["api_url"] = $"{options.Value.PublicUrl.TrimEnd('/')}/api/v1",
            ["client_id"] = connection.Id,
            ["refresh_token"] = refresh,
        });
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        // Readable by the owner only from its first byte: created with mode 600, never chmod-ed after the fact.
        File.Delete(file);
        var open = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) open.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(file, open))
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(credentials), ct);
        log.LogInformation("First start: created connection {ClientId} ({Name}); its credentials are in {File}", connection.Id, Name, file);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
