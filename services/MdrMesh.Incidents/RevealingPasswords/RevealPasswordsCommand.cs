using MdrMesh.ServiceDefaults;

namespace MdrMesh.Incidents.RevealingPasswords;

/// <summary>An answer is about to show <see cref="Caller"/> the passwords of these responses: record the reads history needs.</summary>
public sealed record RevealPasswordsCommand(IReadOnlyList<Guid> ResponseIds, DateTimeOffset At, Caller Caller);
