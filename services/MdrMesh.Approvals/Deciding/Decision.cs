using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;

namespace MdrMesh.Approvals.Deciding;

public sealed record DecisionRequested(
    Guid ResponseId,
    string TenantId,
    Guid IncidentId,
    string AssetId,
    ResponseParameters Parameters,
    string? Description,
    DateTimeOffset ProposedAt,
    string ProposedBy,
    DateTimeOffset Deadline);

/// <summary>Accepted, by a person or (with <see cref="AutoAccepted"/>) by the auto-accept setting.</summary>
public sealed record ResponseConfirmed(Guid ResponseId, Guid IncidentId, string? Comment, AutoAcceptance? AutoAccepted, DateTimeOffset At, string By);

/// <summary>Declined: by a person, because the incident closed, or because the deadline passed (<see cref="RejectionReason"/>).</summary>
public sealed record ResponseDeclined(Guid ResponseId, Guid IncidentId, string Reason, string? Comment, DateTimeOffset At, string By);

/// <summary>The executor is asked to run an accepted response: everything it needs travels with the request.</summary>
public sealed record ExecutionRequested(Guid ResponseId, Guid IncidentId, string AssetId, ResponseParameters Parameters, DateTimeOffset At, string By);

/// <summary>One response's decision stream, and the document decisions are queried from (inline snapshot).</summary>
public sealed record Decision
{
    public const string New = "New";
    public const string Confirmed = "Confirmed";
    public const string Declined = "Declined";

    public Guid Id { get; init; }
    public string TenantId { get; init; } = "";
    public Guid IncidentId { get; init; }
    public string AssetId { get; init; } = "";
    public ResponseParameters Parameters { get; init; } = new DisableIsolationParameters();
    public string? Description { get; init; }
    public DateTimeOffset ProposedAt { get; init; }
    public string ProposedBy { get; init; } = "";
    public DateTimeOffset Deadline { get; init; }
    public string Status { get; init; } = New;
    public string? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? Comment { get; init; }
    public string? Reason { get; init; }
    public AutoAcceptance? AutoAccepted { get; init; }

    public bool IsPending => Status == New;

    public static Decision Create(DecisionRequested e) => new()
    {
        Id = e.ResponseId, TenantId = e.TenantId, IncidentId = e.IncidentId, AssetId = e.AssetId, Parameters = e.Parameters,
        Description = e.Description, ProposedAt = e.ProposedAt, ProposedBy = e.ProposedBy, Deadline = e.Deadline,
    };

    public Decision Apply(ResponseConfirmed e) => this with
    {
        Status = Confirmed, DecidedBy = e.By, DecidedAt = e.At, Comment = e.Comment, AutoAccepted = e.AutoAccepted,
    };

    public Decision Apply(ResponseDeclined e) => this with
    {
        Status = Declined, DecidedBy = e.By, DecidedAt = e.At, Comment = e.Comment, Reason = e.Reason,
    };

    public Decision Apply(ExecutionRequested e) => this;
}

/// <summary>A second decision on a response that is already decided; the API answers 409 and nothing is recorded.</summary>
public sealed class AlreadyDecided(Decision decision)
    : Exception($"The response is already {decision.Status}, by {decision.DecidedBy}.");
