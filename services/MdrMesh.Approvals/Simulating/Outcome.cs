namespace MdrMesh.Approvals.Simulating;

/// <summary>What became of a proposal: actually (<c>actual</c>) or under the draft (<c>simulated</c>).</summary>
public static class Outcome
{
    public const string AutoAccepted = "AUTO_ACCEPTED";
    public const string AcceptedByPerson = "ACCEPTED_BY_PERSON";
    public const string DeclinedByPerson = "DECLINED_BY_PERSON";

    /// <summary>Declined with no person: the deadline passed, or the incident was closed.</summary>
    public const string DeclinedAutomatically = "DECLINED_AUTOMATICALLY";

    /// <summary>Actually still waiting for a decision.</summary>
    public const string Waiting = "WAITING";

    /// <summary>Under the draft: left for a person (what the person would then have done is not simulated).</summary>
    public const string WaitingForPerson = "WAITING_FOR_PERSON";
}
