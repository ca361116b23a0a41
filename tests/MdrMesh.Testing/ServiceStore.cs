using JasperFx;
using JasperFx.Events;
using JasperFx.MultiTenancy;
using Marten;

namespace MdrMesh.Testing;

public static class ServiceStore
{
    /// <summary>
    /// A Marten store set up as the services set theirs up (own schema, conjoined tenancy, objects created on demand),
    /// for tests that write or read a service's store beside it; <paramref name="more"/> adds what the test needs.
    /// </summary>
    public static DocumentStore For(string connectionString, string schema, Action<StoreOptions>? more = null) => DocumentStore.For(options =>
    {
        options.Connection(connectionString);
        options.DatabaseSchemaName = schema;
        options.Events.DatabaseSchemaName = schema;
        options.Events.TenancyStyle = TenancyStyle.Conjoined;
        options.Events.StreamIdentity = StreamIdentity.AsGuid;
        options.Policies.AllDocumentsAreMultiTenanted();
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        more?.Invoke(options);
    });
}
