using Microsoft.Extensions.Logging;

namespace MdrMesh.EndToEnd.Tests;

/// <summary>Appends the services' warnings and errors to the file named by MDRMESH_TEST_LOGS, for debugging a failing test.</summary>
public sealed class FileLoggerProvider(string path, string service) : ILoggerProvider
{
    private static readonly object Gate = new();

    public ILogger CreateLogger(string category) => new FileLogger(path, service, category);

    public void Dispose() { }

    private sealed class FileLogger(string path, string service, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel level) => level >= LogLevel.Warning;

        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(level)) return;
            lock (Gate) File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {service} {level} {category}: {formatter(state, exception)} {exception}\n");
        }
    }
}
