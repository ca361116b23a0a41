using JasperFx;
using JasperFx.Events.Daemon;
using JasperFx.MultiTenancy;
using Weasel.Core;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MdrMesh.ServiceDefaults;

public static partial class Extensions
{
    /// <summary>
    /// The service's own Marten store: its own schema, conjoined tenancy for events and documents,
    /// the relay subscription that publishes committed events, and the async daemon that runs it.
    /// Config: <c>ConnectionStrings:Postgres</c>; <c>Marten:Daemon</c> = <c>Disabled</c> stops the relay (tests of crashes).
    /// </summary>
    public static void AddMdrMarten<TMap>(this WebApplicationBuilder builder, string schema, Action<StoreOptions> configure)
        where TMap : class, IMessageMap
    {
        builder.Services.AddSingleton<IMessageMap, TMap>();
        var daemon = builder.Configuration["Marten:Daemon"] == "Disabled" ? DaemonMode.Disabled : DaemonMode.HotCold;
        builder.Services.AddSampledGauge(SampledGauges.RelayLag(schema));
        builder.Services.AddSingleton(RelaySettings.From(builder.Configuration));
        builder.Services.AddSingleton<RelayState>();
        builder.Services.AddHealthChecks()
            .AddCheck<RelayHealthCheck>("relay", tags: [Health.Ready])
            .AddCheck<RelayLivenessCheck>("relay-live", tags: [Health.Live]);
        if (daemon != DaemonMode.Disabled) builder.Services.AddHostedService<RelayWatchdog>();
        builder.AddMdrMarten(schema, configure)
            .AddSubscriptionWithServices<MessageRelay>(ServiceLifetime.Singleton, _ => { })
            .AddAsyncDaemon(daemon);
    }

    /// <summary>Statements prepared per connection unless the connection string says otherwise (Npgsql's Max Auto Prepare).</summary>
    public const int AutoPreparedStatements = 64;

    /// <summary>A Marten store of the service's own, for a service that announces nothing (no relay).</summary>
    public static MartenServiceCollectionExtensions.MartenConfigurationExpression AddMdrMarten(this WebApplicationBuilder builder, string schema,
        Action<StoreOptions> configure)
    {
        var connectionString = ServiceConnectionString(builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set."));
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [Health.Ready]);
        builder.Services.AddHostedService<IdempotencySweeper>();
        return builder.Services.AddMarten(options =>
            {
                options.Connection(connectionString);
                options.DatabaseSchemaName = schema;
                options.Events.DatabaseSchemaName = schema;
                // The lock that serialises schema changes at start, one per schema: only instances of the same service
                // wait for each other (with one lock id for all, every service of a restarted installation queued behind
                // every other's check, and the last ones timed out on a busy machine).
                options.ApplyChangesLockId = BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(
                    System.Text.Encoding.UTF8.GetBytes("mdrmesh-schema-changes:" + schema)));
                options.Events.TenancyStyle = TenancyStyle.Conjoined;
                // Events carry the trace that appended them (traceparent), for the relay to continue it.
                options.Events.MetadataConfig.HeadersEnabled = true;
                options.Policies.AllDocumentsAreMultiTenanted();
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // PostgreSQL's jsonb reorders keys, so a type discriminator is not always first.
                // Enums by name, so a stored document reads as its status, not a number that a reordering would change.
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, configure: json => json.AllowOutOfOrderMetadataProperties = true);
                // An event the relay cannot read must stop it, loudly, rather than be skipped: nothing is lost silently.
                options.Projections.Errors.SkipSerializationErrors = false;
                options.Projections.Errors.SkipUnknownEvents = false;
                // 50 ms between polls while events come; a caught-up daemon sleeps up to a second unless this
                // service commits events, which wakes it at once (polling every 50 ms while idle cost ~8 % of a core
                // per service and ~20 % of PostgreSQL's).
                options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
                options.Projections.SlowPollingTime = TimeSpan.FromSeconds(1);
                var wakeup = new AppendWakeup(options.Projections.FastPollingTime);
                options.Projections.Wakeup = wakeup;
                options.Listeners.Add(wakeup);
                options.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(250);
                // A key is the API connection's, not a tenant's: one record per (connection, key) in the schema.
                options.Schema.For<IdempotencyRecord>().SingleTenanted().Duplicate(r => r.CreatedAt);
                configure(options);
            })
            .ApplyAllDatabaseChangesOnStartup();
    }

    /// <summary>The configured connection string as the services' Marten stores use it.</summary>
    public static string ServiceConnectionString(string configured)
    {
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(configured)
        {
            // A pooled connection is not reset (DISCARD ALL) when a session returns it: the resets were more than half of
            // all transactions (27 per response), and nothing here leaves session state behind — Marten's sessions set
            // nothing, the daemon's leadership locks (session advisory locks) are released before their connection is,
            // and a broken connection is never pooled.
            NoResetOnClose = true,
        };
        // The statements a connection runs again and again (Marten's appends, upserts and loads) are prepared on it once, so
        // PostgreSQL stops parsing and planning each call. A connection string that names Max Auto Prepare keeps its value
        // (0 behind a pooler that cannot keep prepared statements, e.g. PgBouncer in transaction mode before 1.21).
        // (Npgsql's own builder reports every keyword it knows as present: the string's own keys are read plainly.)
        var named = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = configured }.Keys.Cast<string>()
            .Any(key => key.Replace(" ", "").Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase));
        if (!named) connection.MaxAutoPrepare = AutoPreparedStatements;
        return connection.ConnectionString;
    }
}
