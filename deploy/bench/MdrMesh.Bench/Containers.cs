using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace MdrMesh.Bench;

/// <summary>CPU and memory of the composed system's containers, sampled with docker stats through the whole run.</summary>
public sealed class Containers : IAsyncDisposable
{
    private sealed record Sample(double At, string Name, string Container, double CpuPercent, double MemoryMb);

    private readonly ConcurrentQueue<Sample> samples = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly System.Text.RegularExpressions.Regex service;

    /// <summary>The containers of compose project <paramref name="project"/>, by service: Compose v1 names them project_service_1, v2 project-service-1.</summary>
    public Containers(string project)
    {
        service = new($"^{project}[_-](.+)[_-][0-9]+$");
        loop = Task.Run(SampleAsync);
    }

    private async Task SampleAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            // One docker stats --no-stream takes about two seconds by itself (it averages CPU over an interval).
            var at = Clock.Now;
            try
            {
                using var process = Process.Start(new ProcessStartInfo("docker", ["stats", "--no-stream", "--format", "{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}"])
                {
                    RedirectStandardOutput = true, RedirectStandardError = true,
                })!;
                var output = await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var parts = line.Split('\t');
                    if (parts.Length < 3 || service.Match(parts[0]) is not { Success: true } named) continue;
                    samples.Enqueue(new Sample(at, named.Groups[1].Value, parts[0], Number(parts[1].TrimEnd('%')), Megabytes(parts[2].Split('/')[0].Trim())));
                }
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                Console.Error.WriteLine($"docker stats failed: {e.Message}");
                return;
            }
            try { await Task.Delay(TimeSpan.FromSeconds(0.5), stop.Token); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// Per service between two run times: the peak memory of any one of its containers, and its mean CPU (100% = one core)
    /// summed over its instances (<c>--scale</c>), so a service's cost reads the same with one instance or two.
    /// </summary>
    public Dictionary<string, ContainerUse> Use(double from, double to) =>
        samples.Where(s => s.At >= from && s.At <= to).GroupBy(s => s.Name).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key, g => new ContainerUse(Math.Round(g.Max(s => s.MemoryMb), 1),
                Math.Round(g.GroupBy(s => s.At).Average(round => round.Sum(s => s.CpuPercent)), 1), g.Count()));

    /// <summary>How many containers (instances) of each service were seen.</summary>
    public Dictionary<string, int> Instances() =>
        samples.GroupBy(s => s.Name).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Select(s => s.Container).Distinct().Count());

    private static double Number(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static double Megabytes(string text)
    {
        var units = new (string Suffix, double Mb)[] { ("GiB", 1024), ("MiB", 1), ("KiB", 1 / 1024.0), ("GB", 1000 / 1.048576), ("MB", 1 / 1.048576), ("kB", 1 / 1048.576), ("B", 1 / 1048576.0) };
        foreach (var (suffix, mb) in units)
            if (text.EndsWith(suffix, StringComparison.Ordinal)) return Number(text[..^suffix.Length]) * mb;
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
