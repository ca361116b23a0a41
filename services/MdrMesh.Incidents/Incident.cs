using MdrMesh.Contracts.Responses;
using MdrMesh.Incidents.Attaching;
using MdrMesh.Incidents.ChangingStatus;
using MdrMesh.Incidents.ClosingIncident;
using MdrMesh.Incidents.Commenting;
using MdrMesh.Incidents.OpeningIncident;
using MdrMesh.Incidents.ProposingResponse;
using MdrMesh.Incidents.RecordingResponseProgress;
using MdrMesh.Incidents.RevealingPasswords;

namespace MdrMesh.Incidents;

/// <summary>
/// An incident as its events made it: the state decisions are taken on, and the document that
/// incident queries read (written by <see cref="IncidentStore"/> in the same commit as the events).
/// </summary>
public sealed record Incident
{
    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public long Number { get; init; }
    public string Summary { get; init; } = "";
    public string? Description { get; init; }
    public string Priority { get; init; } = Priorities.Normal;
    public string Status { get; init; } = IncidentStatus.Open;
    public string? Resolution { get; init; }
    public string? StatusDescription { get; init; }
    public IReadOnlyList<string> AffectedHosts { get; init; } = [];
    public IReadOnlyList<string> MitreTactics { get; init; } = [];
    public IReadOnlyList<string> MitreTechniques { get; init; } = [];
    public string? DetectionTechnology { get; init; }
    public string? ClientDescription { get; init; }
    public string Origin { get; init; } = Origins.Soc;
    public bool NoSla { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>
    /// The version of the incident's event stream this state is at, committed with its events: a writer knows what to
    /// expect without reading the stream. 0 in documents stored before it was kept (the stream is read then).
    /// </summary>
    public long Version { get; init; }
    public IReadOnlyList<IncidentResponse> Responses { get; init; } = [];
    public IReadOnlyList<IncidentComment> Comments { get; init; } = [];
    public IReadOnlyList<IncidentAttachment> Attachments { get; init; } = [];

    public bool IsClosed => Status == IncidentStatus.Closed;

    /// <summary>
    /// Whether the event changes the incident (and so its update time); a password reveal is a read, and a hold by the
    /// blast-radius guard leaves the response as it was (New): both are recorded in history only.
    /// </summary>
    public static bool Changes(IIncidentEvent e) => e is not (IsolationPasswordRevealed or AttachmentDownloaded or ResponseAutoAcceptanceHeld);

    /// <summary>Asset ids of the affected hosts, written <c>HOST:asset_id</c> or as a bare asset id.</summary>
    public IEnumerable<string> AssetIds => AffectedHosts.Select(AssetIdOf);

    public static string AssetIdOf(string affectedHost) =>
        affectedHost.LastIndexOf(':') is var i and >= 0 ? affectedHost[(i + 1)..] : affectedHost;

    public IncidentResponse? Response(Guid responseId) => Responses.FirstOrDefault(r => r.ResponseId == responseId);

    /// <summary>
    /// The fold of the incident's events: the state every decision is taken on, and what <see cref="IncidentStore"/> stores
    /// and history describes. Only an opening starts an incident; every other event needs one. The service never has Marten
    /// fold an incident (see <see cref="IncidentStore"/>); the earlier version did, by the public Create and Apply below, and the
    /// upgrade test still writes as it did. Marten's source generator would take a public Evolve for that fold, in another shape:
    /// it is told to leave this one be.
    /// </summary>
    [JasperFx.Core.JasperFxIgnore]
    public static Incident Evolve(Incident? state, IIncidentEvent e) => Steps(e).Aggregate(state, Fold)!;

    // One step: an event that records several (see Steps) was split before it gets here.
    private static Incident Fold(Incident? state, IIncidentEvent e) => e switch
    {
        IncidentOpened opened => Create(opened),
        CommentAdded x => state!.Apply(x),
        AttachmentAdded x => state!.Apply(x),
        AttachmentDownloaded x => state!.Apply(x),
        CommentDeleted x => state!.Apply(x),
        IncidentStatusChanged x => state!.Apply(x),
        IncidentClosed x => state!.Apply(x),
        ResponseProposed x => state!.Apply(x),
        ResponseAccepted x => state!.Apply(x),
        ResponseRejected x => state!.Apply(x),
        ResponseAutoAcceptanceHeld x => state!.Apply(x),
        ResponseExecutionStarted x => state!.Apply(x),
        ResponseExecuted x => state!.Apply(x),
        ResponseFailed x => state!.Apply(x),
        ResponseUndone x => state!.Apply(x),
        IsolationPasswordRevealed x => state!.Apply(x),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "not an incident event"),
    };

    /// <summary>
    /// The steps an event records, one history record each: an outcome that carries its start is the start and then the
    /// outcome; a completion that carries the file it collected is the completion and then the attachment; a proposal whose
    /// password the proposer received is the proposal and then the reveal; any other event is itself.
    /// </summary>
    public static IReadOnlyList<IIncidentEvent> Steps(IIncidentEvent e) => e switch
    {
        ResponseProposed { RevealedToProposer: true } x => [x with { RevealedToProposer = false }, new IsolationPasswordRevealed(x.ResponseId, x.At, x.By, x.ById)],
        ResponseExecuted x when x.StartedAt is not null || x.Collected is not null =>
            [.. Started(x.ResponseId, x.StartedAt, x.By), x with { StartedAt = null, Collected = null }, .. Optional(x.Collected)],
        ResponseFailed { StartedAt: not null } x => [.. Started(x.ResponseId, x.StartedAt, x.By), x with { StartedAt = null }],
        _ => [e],
    };

    // The start an outcome carries, as the step before it.
    private static IIncidentEvent[] Started(Guid responseId, DateTimeOffset? at, string by) =>
        Optional(at is { } startedAt ? new ResponseExecutionStarted(responseId, startedAt, by) : null);

    private static IIncidentEvent[] Optional(IIncidentEvent? e) => e is null ? [] : [e];

    public static Incident Create(IncidentOpened e) => new()
    {
        Id = e.IncidentId, TenantId = e.TenantId, Number = e.Number, Summary = e.Summary, Description = e.Description,
        Priority = e.Priority, AffectedHosts = e.AffectedHosts, MitreTactics = e.MitreTactics, MitreTechniques = e.MitreTechniques,
        DetectionTechnology = e.DetectionTechnology, ClientDescription = e.ClientDescription, Origin = e.Origin, NoSla = e.NoSla,
        CreatedAt = e.At, UpdatedAt = e.At,
    };

    public Incident Apply(CommentAdded e) => this with
    {
        Comments = [.. Comments, new IncidentComment(e.CommentId, e.Text, e.By, e.At, e.ById) { Origin = e.Origin ?? Origins.Customer }],
        UpdatedAt = e.At,
    };

    public Incident Apply(AttachmentAdded e) => this with
    {
        Attachments = [.. Attachments, new IncidentAttachment(e.AttachmentId, e.FullName, e.Caption, e.FileSize, e.Sha256, e.ContentType, e.Origin,
            e.By, e.ById, e.At)],
        UpdatedAt = e.At,
    };

    /// <summary>A download is a read: history only.</summary>
    public Incident Apply(AttachmentDownloaded e) => this;

    public Incident Apply(CommentDeleted e) => this with
    {
        Comments = Comments.Where(c => c.CommentId != e.CommentId).ToList(),
        UpdatedAt = e.At,
    };

    public Incident Apply(IncidentStatusChanged e) => this with { Status = e.Status, UpdatedAt = e.At };

    public Incident Apply(IncidentClosed e) => this with
    {
        Status = IncidentStatus.Closed, Resolution = e.Resolution, StatusDescription = e.Summary, UpdatedAt = e.At,
    };

    public Incident Apply(ResponseProposed e) => this with
    {
        Responses = [.. Responses, new IncidentResponse(e.ResponseId, e.AssetId, e.Parameters, e.Description, e.By, e.At)
        {
            SealedPassword = e.SealedPassword,
        }],
        UpdatedAt = e.At,
    };

    /// <summary>A reveal is a read: it is history, not a change of the incident (its update time stays); the response remembers who has seen it.</summary>
    public Incident Apply(IsolationPasswordRevealed e) => e.ById is null ? this : this with
    {
        Responses = Responses.Select(r => r.ResponseId == e.ResponseId ? r with { RevealedTo = [.. r.RevealedTo, e.ById] } : r).ToList(),
    };

    public Incident Apply(ResponseAccepted e) =>
        Update(e.ResponseId, e.At, r => r with { Decision = ResponseStatus.Confirmed, Comment = e.Comment, DecidedBy = e.By });

    public Incident Apply(ResponseRejected e) =>
        Update(e.ResponseId, e.At, r => r with { Decision = ResponseStatus.Declined, Comment = e.Comment, DecidedBy = e.By });

    /// <summary>History, not a change: the response stays New and keeps its update time; it remembers the hold, so it is recorded once.</summary>
    public Incident Apply(ResponseAutoAcceptanceHeld e) => this with
    {
        Responses = Responses.Select(r => r.ResponseId == e.ResponseId ? r with { HeldFor = e.Reason } : r).ToList(),
    };

    public Incident Apply(ResponseExecutionStarted e) =>
        Update(e.ResponseId, e.At, r => r with { Execution = ResponseStatus.InProgress });

    public Incident Apply(ResponseExecuted e) =>
        Update(e.ResponseId, e.At, r => r with { Execution = ResponseStatus.Completed, Details = e.Details });

    public Incident Apply(ResponseFailed e) => Update(e.ResponseId, e.At, r => r with
    {
        Execution = ResponseStatus.Failed,
        Details = new Dictionary<string, string> { ["reason_code"] = e.ReasonCode, ["reason"] = e.Message },
    });

    public Incident Apply(ResponseUndone e) =>
        Update(e.ResponseId, e.At, r => r with { Undo = new ResponseUndo(e.UndoneBy, e.Reason, e.At) });

    private Incident Update(Guid responseId, DateTimeOffset at, Func<IncidentResponse, IncidentResponse> change) => this with
    {
        Responses = Responses.Select(r => r.ResponseId == responseId ? change(r) with { UpdatedAt = at } : r).ToList(),
        UpdatedAt = at,
    };
}

/// <summary>
/// A response on the incident. Its decision and its execution are kept apart, so a message that
/// arrives late (a decision after the executor already reported) still lands where it belongs.
/// </summary>
public sealed record IncidentResponse(
    Guid ResponseId,
    string AssetId,
    ResponseParameters Parameters,
    string? Description,
    string ProposedBy,
    DateTimeOffset CreatedAt)
{
    /// <summary>An isolation's password, sealed by <see cref="RevealingPasswords.PasswordVault"/>; the parameters hold only its task id and details.</summary>
    public string? SealedPassword { get; init; }

    /// <summary>The connections the password has been shown to (ids); each is recorded in history once, at the first reveal.</summary>
    public IReadOnlyList<string> RevealedTo { get; init; } = [];
    public ResponseStatus? Decision { get; init; }
    public string? DecidedBy { get; init; }
    public ResponseStatus? Execution { get; init; }
    public string? Comment { get; init; }
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();

    /// <summary>Why the auto-accept policy's acceptance was held for a person (the blast-radius guard), if it was.</summary>
    public string? HeldFor { get; init; }

    /// <summary>What ended this response's effect on the asset, if anything did (isolations and quarantines).</summary>
    public ResponseUndo? Undo { get; init; }
    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    /// <summary><c>New</c> → <c>Confirmed</c> | <c>Declined</c> → <c>InProgress</c> → <c>Completed</c> | <c>Failed</c>.</summary>
    public ResponseStatus Status => Execution ?? Decision ?? ResponseStatus.New;
}

/// <summary>The response that undid another (null when its isolation term ended), and why.</summary>
public sealed record ResponseUndo(Guid? ResponseId, string Reason, DateTimeOffset At);

/// <summary>A comment; <see cref="AuthorId"/> is its author's connection id (null on comments written before ids were kept: nobody may delete those).</summary>
public sealed record IncidentComment(Guid CommentId, string Text, string Author, DateTimeOffset CreatedAt, string? AuthorId = null)
{
    /// <summary><c>SOC</c> (the provider's analysts) or <c>CUSTOMER</c>.</summary>
    public string Origin { get; init; } = Origins.Customer;
}

public static class IncidentStatus
{
    public const string Open = "Open";
    public const string OnHold = "On hold";
    public const string Resolved = "Resolved";
    public const string Closed = "Closed";
    public static readonly IReadOnlyList<string> Changeable = [Open, OnHold, Resolved];
    public static readonly IReadOnlyList<string> All = [Open, OnHold, Resolved, Closed];
}

/// <summary>The incident priorities, as the contracts name them (the approvals service's rules match on them too).</summary>
public static class Priorities
{
    public const string High = Contracts.Messages.IncidentPriority.High;
    public const string Normal = Contracts.Messages.IncidentPriority.Normal;
    public const string Low = Contracts.Messages.IncidentPriority.Low;
    public static readonly IReadOnlyList<string> All = Contracts.Messages.IncidentPriority.All;
}

public static class Origins
{
    public const string Soc = "SOC";
    public const string Customer = "CUSTOMER";
}

/// <summary>A request that the incident's current state forbids; the API answers 409.</summary>
public sealed class IncidentConflict(string message) : Exception(message);
