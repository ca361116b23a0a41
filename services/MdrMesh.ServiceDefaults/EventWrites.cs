using Marten;
using JasperFx.Events;

namespace MdrMesh.ServiceDefaults;

/// <summary>What a decider returned for one stream, the state before and the state those events lead to.</summary>
public sealed record Decided<TState>(TState? Before, IReadOnlyList<object> Events, TState? After);

/// <summary>
/// The one way every service writes: fetch what the decision needs, decide (a pure function of a command and the
/// state), append what it returned, commit once. One conflict policy for every write: when another writer committed
/// first (a stream's version moved, the stream was started meanwhile, a unique index took the value), the whole write is
/// fetched and decided again on the state that writer left, after a short random pause so colliding writers spread
/// out. The decider then refuses (its exception is the caller's answer) or decides nothing. A write that keeps losing
/// for <see cref="Attempts"/> attempts gives up with the conflict (the API answers 409: send it again).
/// </summary>
public static class EventWrites
{
    public const int Attempts = 25;

    /// <summary>
    /// Runs <paramref name="write"/> (fetch, decide, append) in a fresh session of <paramref name="tenantId"/> (null:
    /// the store's root; the write may reach into tenants with <c>ForTenant</c>) and commits it, deciding again on a conflict.
    /// Reads and writes share one transaction: one connection and one commit per write.
    /// </summary>
    public static async Task<T> WriteAsync<T>(this IDocumentStore store, string? tenantId, Func<IDocumentSession, Task<T>> write,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var session = tenantId is null ? store.LightweightSession() : store.LightweightSession(tenantId);
                session.CarryTrace();
                await session.BeginTransactionAsync(ct);
                var result = await write(session);
                await session.SaveChangesAsync(ct);
                return result;
            }
            catch (Exception e) when (attempt < Attempts && IsConflict(e))
            {
                await Task.Delay(Random.Shared.Next(5, 20 * Math.Min(attempt, 5)), ct);
            }
        }
    }

    /// <summary>Decides <paramref name="command"/> on the stream's state and appends what the decider returned.</summary>
    public static Decided<TState> Decide<TState, TCommand>(this IEventStream<TState> stream, TCommand command,
        Func<TCommand, TState?, IReadOnlyList<object>> decide, Func<TState?, object, TState?> evolve) where TState : class
    {
        var events = decide(command, stream.Aggregate);
        if (events.Count > 0) stream.AppendMany(events);
        return new Decided<TState>(stream.Aggregate, events, events.Aggregate(stream.Aggregate, evolve));
    }

    /// <summary>A write that lost a race: a version check (possibly several in one batch), a stream started meanwhile, a unique index.</summary>
    public static bool IsConflict(Exception exception) => exception switch
    {
        JasperFx.ConcurrencyException => true,
        Marten.Exceptions.ExistingStreamIdCollisionException => true,
        JasperFx.DocumentAlreadyExistsException => true,
        Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsConflict),
        { InnerException: { } inner } => IsConflict(inner),
        _ => false,
    };
}
