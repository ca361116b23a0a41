using System.Collections.Concurrent;
using MdrMesh.ServiceDefaults;

namespace MdrMesh.Services.Tests;

/// <summary>
/// The batching behind the proposal, execution and incident writers: callers wait for their own outcome, one commit serves
/// many, and one bad item fails alone.
/// </summary>
public sealed class BatchQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_group_that_fails_is_committed_again_item_by_item_so_only_the_bad_item_fails()
    {
        var commits = new ConcurrentQueue<string[]>();
        var release = new TaskCompletionSource();
        await using var queue = new BatchQueue<string, string>(1, 100, item => item.Split('/')[0], async items =>
        {
            await release.Task;
            commits.Enqueue(items.Select(i => i.Item).ToArray());
            if (items.Any(i => i.Item.EndsWith("bad"))) throw new InvalidOperationException("bad item");
            foreach (var item in items) item.Done.TrySetResult($"committed {item.Item}");
        });

        var key = Guid.NewGuid();
        var calls = new[] { "t1/a", "t1/bad", "t1/c", "t2/d" }.Select(item => queue.AddAsync(item, key, CancellationToken.None)).ToList();
        release.SetResult();

        Assert.Equal("committed t1/a", await calls[0].WaitAsync(Deadline));
        await Assert.ThrowsAsync<InvalidOperationException>(() => calls[1].WaitAsync(Deadline));
        Assert.Equal("committed t1/c", await calls[2].WaitAsync(Deadline));
        Assert.Equal("committed t2/d", await calls[3].WaitAsync(Deadline));
        // The first call may have been taken alone before the rest queued; whatever was batched with the bad one was tried again alone.
        var tried = commits.ToList();
        Assert.Contains(tried, c => c.Length > 1 && c.Contains("t1/bad"));
        Assert.Contains(tried, c => c is ["t1/bad"]);
        Assert.DoesNotContain(tried, c => c.Contains("t1/a") && c.Contains("t2/d"));
    }

    [Fact]
    public async Task Items_of_one_key_are_committed_in_the_order_they_came_and_never_in_two_commits_at_once()
    {
        var seen = new ConcurrentQueue<int>();
        var inFlight = 0;
        var overlapped = false;
        await using var queue = new BatchQueue<int, int>(4, 8, _ => "tenant", async items =>
        {
            if (Interlocked.Increment(ref inFlight) > 1) overlapped = true;
            await Task.Yield();
            foreach (var item in items) seen.Enqueue(item.Item);
            Interlocked.Decrement(ref inFlight);
            foreach (var item in items) item.Done.TrySetResult(item.Item);
        });

        var key = Guid.NewGuid();
        var calls = Enumerable.Range(0, 200).Select(i => queue.AddAsync(i, key, CancellationToken.None)).ToList();
        await Task.WhenAll(calls).WaitAsync(Deadline);

        Assert.Equal(Enumerable.Range(0, 200), seen);
        Assert.False(overlapped);
    }
}
