using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.RevealingPasswords;

/// <summary>An answer carried the plaintext password of an isolation to <see cref="By"/> (connection id <see cref="ById"/>).</summary>
public sealed record IsolationPasswordRevealed(Guid ResponseId, DateTimeOffset At, string By, string? ById) : IIncidentEvent;

/// <summary>
/// Who may read an isolation's password, and the record that they did. The password lifts an
/// isolation by hand on the endpoint, so only those who may decide responses in the tenant and
/// the SOC see it; everyone else sees its task id and the details that verify it. Answers about
/// many incidents (<c>incidents/list</c>) never carry it: a password is read on purpose, one
/// incident at a time, and the first such read by each connection lands in the incident's history.
/// </summary>
public static class PasswordReveal
{
    public static bool MaySee(Caller caller, string tenantId) => caller.IsSocOperator || (caller.IsDecider && caller.CanReach(tenantId));

    /// <summary>
    /// One reveal event per shown response that has a password, if the caller may see passwords at
    /// all and has not seen that one before: the first reveal to a connection is what history needs
    /// (who knows the password, since when); repeating it on every poll would only bury the record.
    /// </summary>
    public static IReadOnlyList<IIncidentEvent> Decide(RevealPasswordsCommand command, Incident incident)
    {
        var caller = command.Caller;
        return !MaySee(caller, incident.TenantId)
            ? []
            : command.ResponseIds.Where(id => incident.Response(id) is { SealedPassword: not null } r && !r.RevealedTo.Contains(caller.Id))
                .Select(id => (IIncidentEvent)new IsolationPasswordRevealed(id, command.At, caller.Name, caller.Id)).ToList();
    }

    /// <summary>True when an answer filtered by <c>fields</c> still holds <paramref name="key"/>.</summary>
    public static bool Carries(IReadOnlyCollection<string>? fields, string key) => fields is not { Count: > 0 } || fields.Contains(key);

    /// <summary>
    /// Opens the passwords of <paramref name="shown"/> the caller may see and records the reveals
    /// before returning them: a password the history does not show as read is never sent.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, string>> RevealAsync(string tenantId, Guid incidentId, IEnumerable<IncidentResponse> shown,
        Caller caller, PasswordVault vault, IncidentStore incidents, TimeProvider clock, CancellationToken ct)
    {
        if (!MaySee(caller, tenantId)) return new Dictionary<Guid, string>();
        var passwords = new Dictionary<Guid, string>();
        foreach (var response in shown)
            if (response.SealedPassword is { } sealedPassword && vault.Open(sealedPassword, response.ResponseId) is { } password)
                passwords[response.ResponseId] = password;
        if (passwords.Count == 0) return passwords;
        var command = new RevealPasswordsCommand([.. passwords.Keys], clock.GetUtcNow(), caller);
        await incidents.ChangeAsync(tenantId, incidentId, current => Decide(command, current), ct);
        return passwords;
    }
}
