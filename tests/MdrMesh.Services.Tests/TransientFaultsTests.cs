using MdrMesh.ServiceDefaults;
using Npgsql;

namespace MdrMesh.Services.Tests;

/// <summary>How long a message failing for the infrastructure is retried in place, and which faults count as such.</summary>
public sealed class TransientFaultsTests
{
    [Fact]
    public void An_outage_of_up_to_two_minutes_is_followed_within_ten_seconds_of_its_end()
    {
        var intervals = TransientFaults.Intervals(TransientFaults.DefaultWindow);
        Assert.Equal([1, 2, 4, 8, 10], intervals.Take(5).Select(i => i.TotalSeconds));
        var elapsed = TimeSpan.Zero;
        foreach (var wait in intervals)
        {
            if (elapsed < TimeSpan.FromMinutes(2)) Assert.True(wait <= TimeSpan.FromSeconds(10), $"{wait} after {elapsed}");
            Assert.True(wait <= TimeSpan.FromMinutes(1), $"{wait} after {elapsed}");
            elapsed += wait;
        }
        // The retries fill the window, and not much beyond it.
        Assert.InRange(elapsed, TransientFaults.DefaultWindow, TransientFaults.DefaultWindow + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void A_window_shorter_than_the_first_wait_still_retries_once() =>
        Assert.Equal([TimeSpan.FromSeconds(1)], TransientFaults.Intervals(TimeSpan.Zero));

    [Fact]
    public void Infrastructure_faults_are_transient_wherever_they_sit_in_the_chain_and_others_are_not()
    {
        Assert.True(TransientFaults.Is(new InvalidOperationException("wrapped", new TimeoutException())));
        Assert.True(TransientFaults.Is(new AggregateException(new ArgumentException(), new System.Net.Sockets.SocketException())));
        Assert.True(TransientFaults.Is(new NpgsqlException("too many clients", new System.Net.Sockets.SocketException())));
        Assert.False(TransientFaults.Is(new InvalidOperationException("a bug")));
        Assert.False(TransientFaults.Is(new ArgumentException("bad message", new FormatException())));
    }
}
