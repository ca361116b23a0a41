namespace MdrMesh.Testing;

/// <summary>
/// A test class over a whole mesh of its own, started before its tests and disposed after them: the derived class
/// says what it runs on (the fleet, settings, an earlier store) and what it sets up, and keeps its own <c>[Collection]</c>.
/// </summary>
public abstract class MeshTests(Infrastructure infrastructure, string fleetJson = "[]") : IAsyncLifetime
{
    /// <summary>The running mesh; set by <see cref="InitializeAsync"/>.</summary>
    protected Mesh Mesh { get; private set; } = null!;

    /// <summary>The shared PostgreSQL and RabbitMQ (the derived class passes it here rather than capturing it twice).</summary>
    protected Infrastructure Infrastructure => infrastructure;

    /// <summary>Settings over the mesh's own defaults; read when the mesh starts, so the derived class's fields are set.</summary>
    protected virtual Dictionary<string, string?>? Settings => null;

    /// <summary>Runs on the new database before any service starts (see <see cref="Mesh.StartAsync"/>).</summary>
    protected virtual Func<string, Task>? PrepareDatabase => null;

    /// <summary>What the derived class does once the mesh runs, before its tests.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    public virtual async Task InitializeAsync()
    {
        Mesh = await Mesh.StartAsync(infrastructure, fleetJson, Settings, PrepareDatabase);
        await SetUpAsync();
    }

    public virtual async Task DisposeAsync() => await Mesh.DisposeAsync();
}
