namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>The assets the user may reach (<c>assets/list</c>), with their isolation state and when it ends.</summary>
public sealed class AssetsModel(ConsoleApi api) : ConsolePage
{
    public const int PageSize = 50;
    public int PageNumber { get; private set; } = 1;
    public IReadOnlyList<AssetRow> Assets { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task OnGetAsync(int? page, CancellationToken ct)
    {
        PageNumber = Math.Clamp(page ?? 1, 1, 100_000);
        var answer = await api.CallAsync(CurrentUser, "assets/list", new { page = PageNumber, page_size = PageSize }, ct);
        if (answer.Ok) Assets = answer.As<List<AssetRow>>();
        else Error = answer.Message;
    }
}

/// <summary>An asset as the console lists it (a part of the API's asset object).</summary>
public sealed record AssetRow(string AssetId, string HostName, string TenantName, string Os, string? OsVersion, string Status, bool Isolation,
    long? IsolationEndsAt, long LastSeen);
