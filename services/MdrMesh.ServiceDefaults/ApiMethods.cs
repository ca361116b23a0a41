namespace MdrMesh.ServiceDefaults;

/// <summary>
/// One method of the API: the service that serves it (<see cref="ApiMethods.Gateway"/> for the gateway's own) and
/// the rights sets that may call it (any one suffices).
/// </summary>
public sealed record ApiMethod(string Name, string Service, IReadOnlyList<string> Rights);

/// <summary>
/// The API's one method table. The gateway maps exactly these methods (an unknown one is a 404 and reaches
/// nothing), authorizes each by its rights, routes it to its service and describes it in the OpenAPI document;
/// each service maps exactly the methods the table gives it (checked at start); the rights matrix test walks
/// every row. A method missing here does not exist.
/// </summary>
public static class ApiMethods
{
    public const string Incidents = "Incidents";
    public const string Approvals = "Approvals";
    public const string Executor = "Executor";
    public const string Notifications = "Notifications";
    public const string Gateway = "Gateway";

    /// <summary>The services behind the gateway, each at <c>Services:{name}</c>.</summary>
    public static readonly IReadOnlyList<string> Forwarded = [Incidents, Approvals, Executor, Notifications];

    private static readonly string[] Everyone = [Rights.SocOperator, Rights.FullAccess, Rights.ResponseManagement, Rights.IncidentAccess];
    private static readonly string[] Managers = [Rights.SocOperator, Rights.FullAccess, Rights.ResponseManagement];
    private static readonly string[] Deciders = [Rights.FullAccess, Rights.ResponseManagement];
    private static readonly string[] Soc = [Rights.SocOperator];
    private static readonly string[] Administrators = [Rights.FullAccess];

    public static readonly IReadOnlyList<ApiMethod> All =
    [
        new("incidents/create", Incidents, Managers),
        new("incidents/details", Incidents, Everyone),
        new("incidents/list", Incidents, Everyone),
        new("incidents/count", Incidents, Everyone),
        new("incidents/update", Incidents, Managers),
        new("incidents/close", Incidents, Managers),
        new("incidents/history", Incidents, Everyone),
        new("responses/list", Incidents, Everyone),
        new("responses/create", Incidents, Soc),
        new("response/update", Approvals, Deciders),
        new("responses/update", Approvals, Deciders),
        new("comments/create", Incidents, Everyone),
        new("comments/list", Incidents, Everyone),
        new("comments/delete", Incidents, Everyone),
        // Whoever may comment may attach a file; whoever may read the incident may download its files.
        new("attachments/upload", Incidents, Everyone),
        new("attachments/list", Incidents, Everyone),
        new("attachments/download", Incidents, Everyone),
        new("auto_accept/get", Approvals, Deciders),
        new("auto_accept/set", Approvals, Deciders),
        new("auto_accept/history", Approvals, Deciders),
        new("auto_accept/rules/get", Approvals, Deciders),
        new("auto_accept/rules/set", Approvals, Deciders),
        new("auto_accept/rules/history", Approvals, Deciders),
        // It reads a tenant's history of decisions, as the rules' own methods do.
        new("auto_accept/simulate", Approvals, Deciders),
        // Read like the rules that name them, written like the rules.
        new("asset_groups/create", Approvals, Deciders),
        new("asset_groups/list", Approvals, Deciders),
        new("asset_groups/update", Approvals, Deciders),
        new("asset_groups/delete", Approvals, Deciders),
        new("auto_accept/guard/get", Approvals, Deciders),
        new("auto_accept/guard/set", Approvals, Deciders),
        new("auto_accept/guard/reset", Approvals, Deciders),
        new("assets/list", Executor, Everyone),
        new("assets/count", Executor, Everyone),
        new("assets/details", Executor, Everyone),
        new("assets/register", Executor, Soc),
        // Who may set a tenant's auto-accept may decide who hears of its responses.
        new("notifications/subscriptions/create", Notifications, Deciders),
        new("notifications/subscriptions/list", Notifications, Deciders),
        new("notifications/subscriptions/update", Notifications, Deciders),
        new("notifications/subscriptions/delete", Notifications, Deciders),
        new("notifications/subscriptions/test", Notifications, Deciders),
        new("notifications/deliveries/list", Notifications, Deciders),
        new("notifications/deliveries/redeliver", Notifications, Deciders),
        new("tenants/create", Gateway, Administrators),
        new("tenants/list", Gateway, Everyone),
        new("tenants/update", Gateway, Administrators),
        new("api_connections/create", Gateway, Administrators),
        new("api_connections/list", Gateway, Administrators),
        new("api_connections/revoke", Gateway, Administrators),
        new("api_connections/delete", Gateway, Administrators),
        new("users/create", Gateway, Administrators),
        new("users/list", Gateway, Administrators),
        new("users/update", Gateway, Administrators),
        new("users/disable", Gateway, Administrators),
    ];

    public static readonly IReadOnlyDictionary<string, ApiMethod> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>The methods <paramref name="service"/> serves.</summary>
    public static IEnumerable<ApiMethod> Of(string service) => All.Where(m => m.Service == service);

    /// <summary>
    /// Throws unless <paramref name="mapped"/> are exactly the methods the table gives <paramref name="service"/>:
    /// a handler the gateway would never route to, or a routed method nobody serves, stops the service at start.
    /// </summary>
    public static void RequireExactly(string service, IEnumerable<string> mapped)
    {
        var expected = Of(service).Select(m => m.Name).ToHashSet();
        var actual = mapped.ToHashSet();
        if (actual.Except(expected).FirstOrDefault() is { } extra)
            throw new InvalidOperationException($"{service} maps {extra}, which the method table gives to {(ByName.TryGetValue(extra, out var m) ? m.Service : "no service")}.");
        if (expected.Except(actual).FirstOrDefault() is { } missing)
            throw new InvalidOperationException($"{service} does not map {missing}, which the method table gives it.");
    }
}

/// <summary>The rights sets an API connection may hold, by their wire names.</summary>
public static class Rights
{
    /// <summary>The provider's own analysts: raise SOC incidents, propose responses, register assets, in every tenant. Never a customer's.</summary>
    public const string SocOperator = "SOC_OPERATOR";

    /// <summary>The customer's MDR Administrator: everything of the customer's, including tenants, auto-accept and connections.</summary>
    public const string FullAccess = "FULL_ACCESS";

    /// <summary>Incidents, deciding responses, auto-accept settings.</summary>
    public const string ResponseManagement = "RESPONSE_MANAGEMENT";

    /// <summary>Read and comment only.</summary>
    public const string IncidentAccess = "INCIDENT_ACCESS";

    public static readonly IReadOnlyList<string> All = [SocOperator, FullAccess, ResponseManagement, IncidentAccess];
}
