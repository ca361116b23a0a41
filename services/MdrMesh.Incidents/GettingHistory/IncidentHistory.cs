using System.Text.Json;
using Marten;
using MdrMesh.Incidents.Attaching;
using MdrMesh.Incidents.ChangingStatus;
using MdrMesh.Incidents.ClosingIncident;
using MdrMesh.Incidents.Commenting;
using MdrMesh.Incidents.GettingIncidents;
using MdrMesh.Incidents.OpeningIncident;
using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.Incidents.RecordingResponseProgress;
using MdrMesh.Incidents.RevealingPasswords;
using MdrMesh.Contracts.Responses;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.GettingHistory;

/// <summary>
/// One record of <c>incidents/history</c>: who changed which entity of the incident (name, and
/// connection id unless the system did), when, the entity as it became (JSON text, so its fields
/// keep the API's order), and each changed field with its value before and after. A read of an
/// isolation password is a record too (operation <c>reveal</c>, entity <c>isolation_password</c>).
/// Not stored: one record per step of the incident's stream (an event, or the start and the outcome an outcome event
/// carries: <see cref="Incident.Steps"/>), described when it is read.
/// </summary>
public sealed record IncidentHistoryRecord(
    long Version,
    DateTimeOffset ChangedAt,
    string ChangedBy,
    string Operation,
    string EntityType,
    string Snapshot,
    IReadOnlyList<FieldChange> Changes,
    string? ChangedById = null);

public sealed record FieldChange(string Field, JsonElement? Before, JsonElement? After);

public static class IncidentHistory
{
    /// <summary>
    /// The page of history records: the incident's events replayed from its opening, each one that
    /// <paramref name="shown"/> keeps counted, and only the page's described. Nothing past the page is read.
    /// </summary>
    public static IReadOnlyList<IncidentHistoryRecord> Page(IEnumerable<(IIncidentEvent Event, long Version)> stream,
        Func<IIncidentEvent, bool> shown, int skip, int take)
    {
        var page = new List<IncidentHistoryRecord>(Math.Min(take, 1000));
        Incident? state = null;
        var counted = 0;
        foreach (var (recorded, version) in stream)
        foreach (var e in Incident.Steps(recorded))
        {
            var next = Incident.Evolve(state, e);
            if (shown(e) && counted++ >= skip)
            {
                page.Add(Describe(state, next, e, version));
                if (page.Count == take) return page;
            }
            state = next;
        }
        return page;
    }

    /// <summary>The history record of one event: pure, from the states before and after it.</summary>
    public static IncidentHistoryRecord Describe(Incident? before, Incident after, IIncidentEvent e, long version)
    {
        (string Operation, string EntityType, JsonElement? Old, JsonElement New) entry = e switch
        {
            IncidentOpened => ("create", "incident_details", null, Details(after)),
            IncidentStatusChanged or IncidentClosed => ("update", "incident_details", Details(before!), Details(after)),
            CommentAdded c => ("create", "incident_comment", null, CommentSnapshot(after, c.CommentId)),
            CommentDeleted d => ("update", "incident_comment", CommentSnapshot(before!, d.CommentId),
                Json(new { comment_id = d.CommentId.ToString(), deleted = true })),
            ResponseProposed r => ("create", "incident_response", null, ResponseSnapshot(after, r.ResponseId)),
            AttachmentAdded a => ("create", "incident_attachment", null, AttachmentSnapshot(after, a.AttachmentId)),
            AttachmentDownloaded d => ("download", "incident_attachment", null, AttachmentSnapshot(after, d.AttachmentId)),
            IsolationPasswordRevealed r => ("reveal", "isolation_password", null, Json(new
            {
                response_id = r.ResponseId.ToString(),
                task_id = (after.Response(r.ResponseId)?.Parameters as IsolateParameters)?.TaskId,
            })),
            _ => ("update", "incident_response", ResponseSnapshot(before!, ResponseIdOf(e)), ResponseSnapshot(after, ResponseIdOf(e))),
        };
        return new IncidentHistoryRecord(version, e.At, e.By, entry.Operation, entry.EntityType, entry.New.GetRawText(),
            Diff(entry.Old, entry.New), e.ById);
    }

    private static Guid ResponseIdOf(IIncidentEvent e) => e switch
    {
        ResponseAccepted x => x.ResponseId,
        ResponseRejected x => x.ResponseId,
        ResponseAutoAcceptanceHeld x => x.ResponseId,
        ResponseExecutionStarted x => x.ResponseId,
        ResponseExecuted x => x.ResponseId,
        ResponseFailed x => x.ResponseId,
        ResponseUndone x => x.ResponseId,
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    // The incident's own fields, without its embedded collections (they have their own records).
    private static JsonElement Details(Incident i) =>
        Json(IncidentViews.Incident(i with { Responses = [], Comments = [], Attachments = [] }), drop: ["responses", "comments", "attachments"]);

    // Who has read a comment is not part of it: history shows the comment as written.
    private static JsonElement CommentSnapshot(Incident i, Guid commentId) =>
        Json(IncidentViews.Comment(i.Comments.Single(x => x.CommentId == commentId), wasRead: false), drop: ["was_read"]);

    private static JsonElement AttachmentSnapshot(Incident i, Guid attachmentId) =>
        Json(IncidentViews.Attachment(i.Attachments.Single(x => x.AttachmentId == attachmentId), wasRead: false), drop: ["was_read"]);

    private static JsonElement ResponseSnapshot(Incident i, Guid responseId)
    {
        var view = IncidentViews.Response(i.Response(responseId)!, i.Id);
        // The parameters hold no password (it is sealed beside them); dropping the key anyway keeps history free of one whatever the parameters hold.
        var json = JsonSerializer.SerializeToNode(view, ApiJson.Options)!.AsObject();
        json["parameters"]!.AsObject().Remove("password");
        return JsonSerializer.SerializeToElement(json);
    }

    private static JsonElement Json(object view, params string[] drop)
    {
        var json = JsonSerializer.SerializeToNode(view, ApiJson.Options)!.AsObject();
        foreach (var key in drop) json.Remove(key);
        return JsonSerializer.SerializeToElement(json);
    }

    private static IReadOnlyList<FieldChange> Diff(JsonElement? before, JsonElement after)
    {
        if (before is null) return [];
        var old = before.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        return after.EnumerateObject()
            .Where(p => p.Name != "update_time")
            .Where(p => !old.TryGetValue(p.Name, out var was) || was.GetRawText() != p.Value.GetRawText())
            .Select(p => new FieldChange(p.Name, old.TryGetValue(p.Name, out var was) ? was : null, p.Value))
            .ToList();
    }
}
