namespace MdrMesh.Services.Tests;

/// <summary>
/// A decider test in the words of the behaviour it pins: given these events happened, when this command arrives,
/// then the decider returns these events (or refuses). The state is only ever built by the decider's own evolve.
/// </summary>
public sealed class DeciderSpec<TState, TCommand>(Func<TCommand, TState?, IReadOnlyList<object>> decide, Func<TState?, object, TState?> evolve)
    where TState : class
{
    private TState? _state;
    private TCommand? _command;

    public DeciderSpec<TState, TCommand> Given(params object[] events)
    {
        _state = events.Aggregate(_state, evolve);
        return this;
    }

    public DeciderSpec<TState, TCommand> When(TCommand command)
    {
        _command = command;
        return this;
    }

    /// <summary>The decider returns exactly <paramref name="expected"/>, in order.</summary>
    public IReadOnlyList<object> Then(params object[] expected)
    {
        var events = decide(_command!, _state);
        Assert.Equal(expected, events);
        return events;
    }

    /// <summary>The decider returns events that pass <paramref name="check"/> (for events carrying generated values).</summary>
    public IReadOnlyList<object> Then(Action<IReadOnlyList<object>> check)
    {
        var events = decide(_command!, _state);
        check(events);
        return events;
    }

    /// <summary>The decider refuses the command with <typeparamref name="TException"/>, which is the caller's answer.</summary>
    public TException ThenRefuses<TException>() where TException : Exception => Assert.Throws<TException>(() => decide(_command!, _state));
}

/// <summary>A proposal left for a person: recorded, then announced as waiting until its deadline.</summary>
public static class Waiting
{
    public static Approvals.Deciding.ResponseProposed For(IReadOnlyList<object> events)
    {
        Assert.Equal(2, events.Count);
        var proposed = Assert.IsType<Approvals.Deciding.ResponseProposed>(events[0]);
        var awaited = Assert.IsType<Approvals.Deciding.DecisionAwaited>(events[1]);
        Assert.Equal((proposed.ResponseId, proposed.Deadline, proposed.Parameters.Type), (awaited.ResponseId, awaited.Deadline, awaited.ResponseType));
        return proposed;
    }
}
