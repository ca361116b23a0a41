using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Faults of the infrastructure that pass by themselves: the database unreachable or refusing (too many connections, starting
/// up), a network cut, the broker's connection lost. A message failing with one is retried in place over minutes
/// (<c>Messaging:TransientRetryWindow</c>, default 15 min), not sent to its error queue after the few seconds of quick retries
/// that serve every other fault: an outage of PostgreSQL or RabbitMQ must strand nothing.
/// </summary>
public static class TransientFaults
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Prompt = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PromptLongest = TimeSpan.FromSeconds(10);

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or TimeoutException or SocketException or MassTransit.ConnectionException) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(Is)) return true;
        }
        return false;
    }

    public static TimeSpan WindowOf(IConfiguration configuration) => configuration.GetValue("Messaging:TransientRetryWindow", DefaultWindow);

    /// <summary>
    /// Waits of 1, 2, 4, 8 s, then 10 s apart for the first <see cref="Prompt"/> (an outage of a minute or two is followed
    /// within 10 s of its end, not after a doubled wait of half a minute), then doubling up to a minute apart, as many as
    /// fill the window (at least one).
    /// </summary>
    public static TimeSpan[] Intervals(TimeSpan window)
    {
        var intervals = new List<TimeSpan>();
        var next = First;
        for (var total = TimeSpan.Zero; total < window || intervals.Count == 0; total += next, next = Min(next * 2, total < Prompt ? PromptLongest : Longest))
            intervals.Add(next);
        return [.. intervals];
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
