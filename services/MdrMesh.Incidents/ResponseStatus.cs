namespace MdrMesh.Incidents;

/// <summary>
/// A response's status as the API shows it: <c>New</c> → <c>Confirmed</c> | <c>Declined</c> → <c>InProgress</c> →
/// <c>Completed</c> | <c>Failed</c>. Stored and shown by name.
/// </summary>
public enum ResponseStatus { New, Confirmed, Declined, InProgress, Completed, Failed }

public static class ResponseStatuses
{
    public static readonly IReadOnlyList<string> All = Enum.GetNames<ResponseStatus>();
}
