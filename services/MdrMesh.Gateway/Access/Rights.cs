namespace MdrMesh.Gateway.Access;

/// <summary>The rights sets an API connection may hold.</summary>
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

    private static readonly string[] Everyone = [SocOperator, FullAccess, ResponseManagement, IncidentAccess];
    private static readonly string[] Managers = [SocOperator, FullAccess, ResponseManagement];
    private static readonly string[] Deciders = [FullAccess, ResponseManagement];
    private static readonly string[] Soc = [SocOperator];
    private static readonly string[] Administrators = [FullAccess];

    /// <summary>
    /// Which rights sets may call each method (any one suffices). The one table of the API's
    /// authorization: a method missing here is refused, and the matrix test walks every row.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> ByMethod = new Dictionary<string, string[]>
    {
        ["incidents/create"] = Managers,
        ["incidents/details"] = Everyone,
        ["incidents/list"] = Everyone,
        ["incidents/count"] = Everyone,
        ["incidents/update"] = Managers,
        ["incidents/close"] = Managers,
        ["incidents/history"] = Everyone,
        ["responses/list"] = Everyone,
        ["responses/create"] = Soc,
        ["response/update"] = Deciders,
        ["responses/update"] = Deciders,
        ["comments/create"] = Everyone,
        ["comments/list"] = Everyone,
        ["comments/delete"] = Everyone,
        // Whoever may comment may attach a file; whoever may read the incident may download its files.
        ["attachments/upload"] = Everyone,
        ["attachments/list"] = Everyone,
        ["attachments/download"] = Everyone,
        ["auto_accept/get"] = Deciders,
        ["auto_accept/set"] = Deciders,
        ["auto_accept/history"] = Deciders,
        ["assets/list"] = Everyone,
        ["assets/count"] = Everyone,
        ["assets/details"] = Everyone,
        ["assets/register"] = Soc,
        ["tenants/create"] = Administrators,
        ["tenants/list"] = Everyone,
        ["tenants/update"] = Administrators,
        ["api_connections/create"] = Administrators,
        ["api_connections/list"] = Administrators,
        ["api_connections/revoke"] = Administrators,
        ["api_connections/delete"] = Administrators,
        ["users/create"] = Administrators,
        ["users/list"] = Administrators,
        ["users/update"] = Administrators,
        ["users/disable"] = Administrators,
    };
}
