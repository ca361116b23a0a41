namespace MdrMesh.Approvals.Deciding;

/// <summary>
/// A response's decision as the product names it (the API's <c>status</c>): waiting, accepted (<c>Confirmed</c>) or
/// rejected (<c>Declined</c>). Stored by name.
/// </summary>
public enum DecisionStatus { New, Confirmed, Declined }
