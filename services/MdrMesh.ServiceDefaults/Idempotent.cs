using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Http;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// One request's claim on an idempotency key. A write that creates something, inside its transaction: <see cref="FindAsync"/>
/// first — a stored answer ends the write with <see cref="AlreadyAnswered"/> — then, beside what it creates,
/// <see cref="Insert"/> the answer. Both commit together, so a crash between them cannot create twice; a concurrent duplicate
/// collides on the record's id (a unique violation), and <see cref="EventWrites.WriteAsync{T}"/> decides it again: it then
/// finds the first call's answer.
/// </summary>
public sealed record Idempotent(string RecordId, string Method, string Fingerprint)
{
    /// <summary>An id for sealing the answer (as associated data): a sealed answer opens for this record only.</summary>
    public Guid SealingId => new(Convert.FromHexString(RecordId[..32]));

    public Task<IdempotencyRecord?> FindAsync(IQuerySession session, CancellationToken ct) => session.LoadAsync<IdempotencyRecord>(RecordId, ct);

    /// <summary>Throws <see cref="AlreadyAnswered"/> when the key has an answer already.</summary>
    public async Task ThrowIfAnsweredAsync(IQuerySession session, CancellationToken ct)
    {
        if (await FindAsync(session, ct) is { } record) throw new AlreadyAnswered(record);
    }

    /// <summary>The answer (200, <paramref name="view"/> as the API writes it), inserted: a second insert of the id fails the commit.</summary>
    public IdempotencyRecord Insert<TView>(IDocumentSession session, TView view, DateTimeOffset at, Func<string, string>? seal = null)
    {
        var body = JsonSerializer.Serialize(view, ApiJson.Options);
        var record = new IdempotencyRecord(RecordId, Method, Fingerprint, StatusCodes.Status200OK, seal is null ? body : seal(body), seal is not null, at);
        session.Insert(record);
        return record;
    }

    /// <summary>
    /// The stored answer again, or 422 when the key was used for a different request. <paramref name="open"/> opens a sealed body
    /// (null: it no longer opens, e.g. its key was retired: 422 as well, the answer cannot be given again).
    /// </summary>
    public IResult Replay(IdempotencyRecord record, Func<string, string?>? open = null)
    {
        if (record.Fingerprint != Fingerprint)
            return Unprocessable("The key was used for a different request: send a new key for a new request.");
        var body = record.Sealed ? open?.Invoke(record.Body) : record.Body;
        if (body is null) return Unprocessable("The first answer to this key can no longer be given: send a new key.");
        return Results.Content(body, "application/json", statusCode: record.Status);
    }

    private static IResult Unprocessable(string detail) => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
        title: $"The {IdempotencyKey.Header} does not fit this request.", detail: detail, type: "https://mdrmesh.dev/problems/idempotency-key",
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [IdempotencyKey.Header] = [detail] } });
}

/// <summary>The key already has an answer: the write creates nothing; the handler answers <see cref="Record"/> (see <see cref="Idempotent.Replay"/>).</summary>
public sealed class AlreadyAnswered(IdempotencyRecord record) : Exception("The idempotency key already has an answer.")
{
    public IdempotencyRecord Record { get; } = record;
}
