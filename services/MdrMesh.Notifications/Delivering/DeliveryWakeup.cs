namespace MdrMesh.Notifications.Delivering;

/// <summary>
/// Tells the sender that deliveries were recorded, so it sends them at once instead of at its next poll. A wake-up
/// lost (another instance recorded them) costs only the poll interval.
/// </summary>
public sealed class DeliveryWakeup
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
