using System.Text.Json;
using System.Text.Json.Nodes;
using MdrMesh.Contracts.Responses;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.GettingIncidents;

/// <summary>The incident object of the API (snake_case on the wire, times in Unix milliseconds).</summary>
public sealed record IncidentView(
    string IncidentId,
    long IncidentNumber,
    string Summary,
    string? Description,
    string Priority,
    string Status,
    string? Resolution,
    string? StatusDescription,
    IReadOnlyList<string> AffectedHosts,
    IReadOnlyList<string> MitreTactics,
    IReadOnlyList<string> MitreTechniques,
    string? DetectionTechnology,
    long CreationTime,
    long UpdateTime,
    string? ClientDescription,
    string Origin,
    string TenantName,
    IReadOnlyList<ResponseView> Responses,
    IReadOnlyList<CommentView> Comments,
    IReadOnlyList<object> Attachments);

/// <summary>A response as <c>responses/list</c> shows it. <c>details</c> holds the outcome, or the failure's reason.</summary>
public sealed record ResponseView(
    string ResponseId,
    string IncidentId,
    string Type,
    JsonObject Parameters,
    IReadOnlyDictionary<string, string> Details,
    string AssetId,
    string Status,
    string? Comment,
    string? Description,
    string ProposedBy,
    string? DecidedBy,
    UndoneByView? UndoneBy,
    long CreationTime,
    long UpdateTime);

/// <summary>The response that undid this one (<c>response_id</c> null when an isolation ran out its term), why, and when.</summary>
public sealed record UndoneByView(string? ResponseId, string Reason, long Time);

public sealed record CommentView(string CommentId, string Text, string Author, string? AuthorId, long CreationTime);

public static class IncidentViews
{
    /// <summary>The incident; isolation passwords only those in <paramref name="passwords"/> (already recorded as revealed).</summary>
    public static IncidentView Incident(Incident i, IReadOnlyDictionary<Guid, string>? passwords = null) => new(
        i.Id.ToString(), i.Number, i.Summary, i.Description, i.Priority, i.Status, i.Resolution, i.StatusDescription,
        i.AffectedHosts, i.MitreTactics, i.MitreTechniques, i.DetectionTechnology, i.CreatedAt.ToUnixMs(), i.UpdatedAt.ToUnixMs(),
        i.ClientDescription, i.Origin, i.TenantId,
        i.Responses.Select(r => Response(r, i.Id, passwords?.GetValueOrDefault(r.ResponseId))).ToList(),
        i.Comments.Select(Comment).ToList(), []);

    /// <summary>The response; <paramref name="password"/> is added to an isolation's parameters only when given (a recorded reveal).</summary>
    public static ResponseView Response(IncidentResponse r, Guid incidentId, string? password = null) => new(
        r.ResponseId.ToString(), incidentId.ToString(), r.Parameters.Type, Parameters(r.Parameters, password), r.Details,
        r.AssetId, r.Status, r.Comment, r.Description, r.ProposedBy, r.DecidedBy,
        r.Undo is { } undo ? new UndoneByView(undo.ResponseId?.ToString(), undo.Reason, undo.At.ToUnixMs()) : null,
        r.CreatedAt.ToUnixMs(), r.UpdatedAt.ToUnixMs());

    public static CommentView Comment(IncidentComment c) => new(c.CommentId.ToString(), c.Text, c.Author, c.AuthorId, c.CreatedAt.ToUnixMs());

    // The spec's wire names; the type travels beside the parameters, not inside them. A password
    // the parameters might still hold is dropped: only a recorded reveal puts one in an answer.
    private static JsonObject Parameters(ResponseParameters parameters, string? password)
    {
        var json = JsonSerializer.SerializeToNode(parameters, ResponseJson.Options)!.AsObject();
        json.Remove("type");
        json.Remove("password");
        if (password is not null && parameters is IsolateParameters) json["password"] = password;
        return json;
    }

    /// <summary>Keeps only the keys named in <c>fields</c>; without it, every key.</summary>
    public static object Select<T>(T view, IReadOnlyCollection<string>? fields)
    {
        if (fields is not { Count: > 0 }) return view!;
        var json = JsonSerializer.SerializeToNode(view, ApiJson.Options)!.AsObject();
        foreach (var key in json.Select(p => p.Key).Where(k => !fields.Contains(k)).ToList()) json.Remove(key);
        return json;
    }
}
