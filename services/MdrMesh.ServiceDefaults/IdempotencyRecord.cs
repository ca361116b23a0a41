namespace MdrMesh.ServiceDefaults;

/// <summary>
/// The answer a creating call gave under an idempotency key, stored in the commit of what it created. <see cref="Id"/>: a hash of
/// the API connection's id and the key (never the key itself); <see cref="Fingerprint"/>: a hash of the method and the request.
/// <see cref="Sealed"/>: the body is sealed by the service (it holds a secret, e.g. an isolation password). One per service schema,
/// whatever the tenant (the key is the connection's, not a tenant's); <see cref="IdempotencySweeper"/> deletes it once expired.
/// </summary>
public sealed record IdempotencyRecord(string Id, string Method, string Fingerprint, int Status, string Body, bool Sealed, DateTimeOffset CreatedAt);
