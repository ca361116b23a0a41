namespace MdrMesh.ServiceDefaults;

public static partial class Extensions
{
    /// <summary>Waits for the timer's next tick; false once the service stops.</summary>
    public static async Task<bool> NextTickAsync(this PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
