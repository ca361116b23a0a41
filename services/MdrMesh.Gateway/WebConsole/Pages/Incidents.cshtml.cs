using Microsoft.AspNetCore.WebUtilities;

namespace MdrMesh.Gateway.WebConsole.Pages;

/// <summary>The incidents the user may reach, filtered, sorted (latest change first) and paged by <c>incidents/list</c>.</summary>
public sealed class IncidentsModel(ConsoleApi api) : ConsolePage
{
    public const int PageSize = 25;
    // The API's values, offered as choices; the API is the one that checks them.
    public static readonly string[] Statuses = ["Open", "On hold", "Resolved", "Closed"];
    public static readonly string[] Priorities = ["HIGH", "NORMAL", "LOW"];
    public static readonly string[] ResponseStatuses = ["New", "Confirmed", "Declined", "InProgress", "Completed", "Failed"];

    public static readonly (string Value, string Shown)[] Sorts =
        [("update_time:desc", "latest change first"), ("creation_time:desc", "newest first"), ("creation_time:asc", "oldest first")];

    public string Sort { get; private set; } = Sorts[0].Value;
    public string? Status { get; private set; }
    public string? Priority { get; private set; }
    public string? ResponseStatus { get; private set; }
    public string? Tenant { get; private set; }
    public string? Search { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public IReadOnlyList<IncidentRow> Incidents { get; private set; } = [];
    public string? Error { get; private set; }
    public IReadOnlyDictionary<string, string> FieldErrors { get; private set; } = new Dictionary<string, string>();

    public async Task OnGetAsync(string? status, string? priority, string? responseStatus, string? tenant, string? search, string? sort, int? page,
        CancellationToken ct)
    {
        Sort = Sorts.Any(s => s.Value == sort) ? sort! : Sorts[0].Value;
        (Status, Priority, ResponseStatus, Tenant, Search) = (Blank(status), Blank(priority), Blank(responseStatus), Blank(tenant), Blank(search));
        PageNumber = Math.Clamp(page ?? 1, 1, 100_000);
        var answer = await api.CallAsync(CurrentUser, "incidents/list", new
        {
            statuses = One(Status), priorities = One(Priority), response_statuses = One(ResponseStatus), tenants_names = One(Tenant),
            search_phrase = Search, page = PageNumber, page_size = PageSize, sort = Sort,
        }, ct);
        if (answer.Ok) Incidents = answer.As<List<IncidentRow>>();
        else (Error, FieldErrors) = (answer.Message, answer.Errors);
    }

    public string PageLink(int page) => QueryHelpers.AddQueryString("/incidents", new Dictionary<string, string?>
    {
        ["status"] = Status, ["priority"] = Priority, ["responseStatus"] = ResponseStatus, ["tenant"] = Tenant, ["search"] = Search,
        ["sort"] = Sort, ["page"] = page.ToString(),
    }.Where(p => p.Value is not null));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    private static string[]? One(string? value) => value is null ? null : [value];
}

/// <summary>An incident as the console lists and shows it (a part of the API's incident object).</summary>
public sealed record IncidentRow(string IncidentId, long IncidentNumber, string Summary, string? Description, string Priority, string Status,
    string? Resolution, IReadOnlyList<string> AffectedHosts, IReadOnlyList<string> MitreTactics, IReadOnlyList<string> MitreTechniques,
    long CreationTime, long UpdateTime, string TenantName, IReadOnlyList<ResponseRow> Responses, IReadOnlyList<CommentRow>? Comments = null,
    IReadOnlyList<AttachmentRow>? Attachments = null);

/// <summary>A file attached to an incident, as the console lists it.</summary>
public sealed record AttachmentRow(string AttachmentId, string AuthorName, string? Caption, long CreationTime, long FileSize, string FullName, string Sha256);

/// <summary>A comment as the console shows it; <see cref="AuthorId"/> tells whether it is the user's own.</summary>
public sealed record CommentRow(string CommentId, string AuthorName, string Text, long CreationTime, string? AuthorId);

/// <summary>A response as the console shows it.</summary>
public sealed record ResponseRow(string ResponseId, string Type, System.Text.Json.Nodes.JsonObject Parameters, IReadOnlyDictionary<string, string> Details,
    string AssetId, string Status, string? Comment, string? Description, string ProposedBy, string? DecidedBy, long CreationTime, long UpdateTime);
