using Microsoft.Extensions.Configuration;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// A graceful stop (SIGTERM, <c>docker stop</c>): the host stops its parts in reverse order of their start, within
/// <c>Shutdown:Timeout</c> (default 30 s; the compose file's <c>stop_grace_period</c> is a little longer, so the
/// process is never killed mid-drain). Kestrel stops listening and finishes the requests in flight; the relay ends its
/// page; the bus stops taking messages and waits for the consumers in flight; sweepers stop between their commits;
/// the incidents' writer loops commit what is queued when their store is disposed, before the database's store is.
/// </summary>
public static class Shutdown
{
    public static TimeSpan TimeoutOf(IConfiguration configuration) => configuration.GetValue("Shutdown:Timeout", TimeSpan.FromSeconds(30));

    /// <summary>
    /// How long consumers in flight may run on once the bus stops, before their tokens are cancelled (their messages then
    /// go back to the queue, unacknowledged, and are delivered again after the restart): two thirds of the stop's time,
    /// leaving the rest for the parts that stop after the bus.
    /// </summary>
    public static TimeSpan ConsumersOf(IConfiguration configuration) => TimeoutOf(configuration) * 2 / 3;
}
