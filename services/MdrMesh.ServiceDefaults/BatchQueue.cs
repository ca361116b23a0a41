using System.Threading.Channels;

namespace MdrMesh.ServiceDefaults;

/// <summary>
/// Work handed over by many callers and done in batches: each caller adds an item and waits for its own result, while a
/// few loops each take what queued up while they were busy (at most <c>maxBatch</c>), split it into groups (a tenant's
/// items commit in its own session) and commit each group at once, so one commit serves many callers. An item goes to the
/// loop its key picks: items of one key keep their order and are never in two batches at the same time. Several loops keep
/// a commit in flight while the next batch is decided. A group that fails is committed again item by item, so one bad
/// item fails alone.
/// </summary>
public sealed class BatchQueue<TItem, TResult> : IAsyncDisposable
{
    /// <summary>An item waiting for its batch, and where its caller learns the outcome.</summary>
    public sealed class Pending(TItem item)
    {
        public TItem Item { get; } = item;
        public TaskCompletionSource<TResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Channel<Pending>[] _queues;
    private readonly int _maxBatch;
    private readonly Func<TItem, string> _group;
    private readonly Func<IReadOnlyList<Pending>, Task> _commit;
    private Task[]? _loops;

    /// <param name="group">What items may share a commit (e.g. their tenant).</param>
    /// <param name="commit">Commits one group and completes each item's <see cref="Pending.Done"/>, or throws having completed none.</param>
    public BatchQueue(int shards, int maxBatch, Func<TItem, string> group, Func<IReadOnlyList<Pending>, Task> commit)
    {
        _queues = Enumerable.Range(0, shards).Select(_ => Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true })).ToArray();
        _maxBatch = maxBatch;
        _group = group;
        _commit = commit;
    }

    /// <summary>
    /// Queues <paramref name="item"/> and waits for its result. A caller that gives up does not take the item back: it may
    /// still be committed, as a request cut off mid-commit may.
    /// </summary>
    public Task<TResult> AddAsync(TItem item, Guid key, CancellationToken ct)
    {
        var pending = new Pending(item);
        Requeue(pending, key);
        return pending.Done.Task.WaitAsync(ct);
    }

    /// <summary>Puts an item back for a later batch (e.g. one that must wait for its neighbour's commit).</summary>
    public void Requeue(Pending pending, Guid key)
    {
        StartLoops();
        if (!_queues[(int)((uint)key.GetHashCode() % _queues.Length)].Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(BatchQueue<TItem, TResult>), "The service is stopping.");
    }

    private void StartLoops()
    {
        if (_loops is not null) return;
        // The loops outlive the call that starts them: they must not inherit its trace.
        using (ExecutionContext.SuppressFlow())
            lock (_queues) _loops ??= _queues.Select(q => Task.Run(() => LoopAsync(q.Reader))).ToArray();
    }

    private async Task LoopAsync(ChannelReader<Pending> queue)
    {
        var batch = new List<Pending>(_maxBatch);
        while (await queue.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _maxBatch && queue.TryRead(out var pending)) batch.Add(pending);
            foreach (var group in batch.GroupBy(p => _group(p.Item)))
                await CommitAsync(group.ToList());
        }
    }

    private async Task CommitAsync(IReadOnlyList<Pending> items)
    {
        try
        {
            await _commit(items);
        }
        catch (Exception) when (items.Count > 1)
        {
            foreach (var item in items) await CommitAsync([item]);
        }
        catch (Exception failed)
        {
            items[0].Done.TrySetException(failed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues) queue.Writer.TryComplete();
        if (_loops is not null) await Task.WhenAll(_loops);
    }
}
