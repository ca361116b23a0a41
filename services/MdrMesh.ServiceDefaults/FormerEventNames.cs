using Marten.Events;

namespace MdrMesh.ServiceDefaults;

public static class FormerEventNames
{
    /// <summary>
    /// Events an earlier version stored under <paramref name="formerName"/> are read as <typeparamref name="TEvent"/>
    /// (a rename: the fields are the same). New ones are stored under the type's own name.
    /// </summary>
    public static IEventStoreOptions ReadFormerName<TEvent>(this IEventStoreOptions events, string formerName) where TEvent : class =>
        events.Upcast<TEvent, TEvent>(formerName, e => e);
}
