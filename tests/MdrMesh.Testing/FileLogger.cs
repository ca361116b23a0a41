using Microsoft.Extensions.Logging;

namespace MdrMesh.Testing;

/// <summary>
/// Appends the services' log (from <paramref name="minimum"/>, default warnings) to the file named by
/// MDRMESH_TEST_LOGS: for debugging a failing test, and for the scan that no secret is ever logged.
/// </summary>
public sealed class FileLoggerProvider(string path, string service, LogLevel minimum = LogLevel.Warning) : ILoggerProvider
{
    private static readonly object Gate = new();

    public ILogger CreateLogger(string category) => new FileLogger(path, service, category, minimum);

    public void Dispose() { }

    private sealed class FileLogger(string path, string service, string category, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel level) => level >= minimum && level != LogLevel.None;

        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(level)) return;
            lock (Gate) File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {service} {level} {category}: {formatter(state, exception)} {exception}\n");
        }
    }
}
