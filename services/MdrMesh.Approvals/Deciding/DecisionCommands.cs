using MdrMesh.Approvals.AcceptanceRules;
using MdrMesh.Approvals.AutoAcceptPolicy;
using MdrMesh.Approvals.BlastRadius;
using Messages = MdrMesh.Contracts.Messages;

namespace MdrMesh.Approvals.Deciding;

/// <summary>What may happen to one response's decision stream; <see cref="Decisions.Decide"/> answers each.</summary>
public interface IDecisionCommand;

/// <summary>
/// A proposal arrived, with what the policy needs: the tenant's switch and rules, whether its incident closed, the
/// ids of the tenant's asset groups its asset is in (null: none), and the tenant's blast-radius guard (null: never touched,
/// its defaults with nothing counted).
/// </summary>
public sealed record Propose(Messages.ResponseProposed Proposal, AutoAcceptSetting Setting, AutoAcceptRules? Rules, bool IncidentClosed,
    TimeSpan Deadline, DateTimeOffset Now, IReadOnlySet<string>? AssetGroups = null, BlastRadiusGuard? Guard = null) : IDecisionCommand;

/// <summary>A person's <c>Confirmed</c> or <c>Declined</c> (<c>response/update</c>), by connection <see cref="ById"/>.</summary>
public sealed record DecideByPerson(DecisionStatus Status, string Comment, DateTimeOffset Now, string By, string ById, bool SeparateDecider = false)
    : IDecisionCommand;

/// <summary>The deadline sweep found the response still waiting.</summary>
public sealed record Expire(DateTimeOffset Now) : IDecisionCommand;

/// <summary>The response's incident closed.</summary>
public sealed record DeclineForClosedIncident(DateTimeOffset Now) : IDecisionCommand;
