using JasperFx.Events.Daemon.HighWater;
using Marten;
using Marten.Services;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Wakes the service's own async daemon (and so its relay) the moment one of its sessions commits
/// events, instead of waiting out a polling interval. While events keep coming the daemon polls at its
/// fast interval, so a burst is still read in pages; only a caught-up daemon is woken early. In process,
/// not PostgreSQL's LISTEN/NOTIFY: a NOTIFY takes a database-wide lock until its transaction's commit is
/// flushed, which serializes every appending commit (measured here: closed-loop throughput 24/s → 15/s).
/// Appends by another instance are seen at the slow polling interval.
/// </summary>
public sealed class AppendWakeup(TimeSpan fastPolling) : DocumentSessionListenerBase, IDaemonWakeup
{
    private readonly SemaphoreSlim _appended = new(0, 1);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.GetEvents().Any() && _appended.CurrentCount == 0)
        {
            try { _appended.Release(); }
            catch (SemaphoreFullException) { } // another commit woke it first
        }
        return Task.CompletedTask;
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        if (timeout <= fastPolling)
        {
            await Task.Delay(timeout, token);
            return;
        }
        await _appended.WaitAsync(timeout, token);
    }

    // Lives as long as the store: a daemon that stops and starts again (leadership) keeps using it.
    public void Dispose() { }
}
