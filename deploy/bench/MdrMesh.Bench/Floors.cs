using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace MdrMesh.Bench;

public sealed record FloorResult(double Seconds, int PostgresWriters, double PostgresCommitsPerS, double RabbitMqMessagesPerS);

/// <summary>
/// The floors: what the composed system's own PostgreSQL and RabbitMQ do alone, measured in the same run, so that
/// MdrMesh's rates can be read as a fraction of what its stores allow on this machine. Scratch objects only, dropped after.
/// </summary>
public static class Floors
{
    public static async Task<FloorResult> RunAsync(Options options)
    {
        var commits = await PostgresAsync(options.PostgresConnection, options.FloorSeconds, 8);
        var messages = await RabbitMqAsync(options, options.FloorSeconds);
        return new FloorResult(options.FloorSeconds, 8, commits, messages);
    }

    /// <summary>One-row INSERT commits per second, each writer on its own connection (synchronous commit as configured).</summary>
    private static async Task<double> PostgresAsync(string connection, double seconds, int writers)
    {
        await using var source = NpgsqlDataSource.Create(connection);
        var table = $"bench_floor_{Environment.ProcessId}";
        await using (var create = source.CreateCommand($"CREATE TABLE {table} (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)"))
            await create.ExecuteNonQueryAsync();
        try
        {
            long total = 0;
            var end = Clock.Now + seconds;
            await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
            {
                await using var conn = await source.OpenConnectionAsync();
                await using var insert = new NpgsqlCommand($"INSERT INTO {table} (payload) VALUES ($1)", conn) { Parameters = { new() { Value = "floor" } } };
                await insert.PrepareAsync();
                while (Clock.Now < end)
                {
                    await insert.ExecuteNonQueryAsync();
                    Interlocked.Increment(ref total);
                }
            }));
            return total / seconds;
        }
        finally
        {
            await using var drop = source.CreateCommand($"DROP TABLE IF EXISTS {table}");
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Persistent messages through a durable scratch queue, consumed with manual acks as the services' consumers do;
    /// the publisher keeps at most 2,000 in flight so that the rate is the pipeline's, not a growing queue's.
    /// </summary>
    private static async Task<double> RabbitMqAsync(Options options, double seconds)
    {
        var factory = new ConnectionFactory
        {
            HostName = options.RabbitHost, Port = options.RabbitPort, UserName = "mdrmesh", Password = options.RabbitPassword,
        };
        await using var connection = await factory.CreateConnectionAsync("mdrmesh-bench");
        await using var publisher = await connection.CreateChannelAsync();
        await using var consumerChannel = await connection.CreateChannelAsync();
        var queue = $"bench.floor.{Environment.ProcessId}";
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        try
        {
            long consumed = 0;
            await consumerChannel.BasicQosAsync(0, 200, false);
            var consumer = new AsyncEventingBasicConsumer(consumerChannel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                await consumerChannel.BasicAckAsync(delivery.DeliveryTag, false);
                Interlocked.Increment(ref consumed);
            };
            await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer);
            var properties = new BasicProperties { Persistent = true };
            var body = new byte[512];
            long published = 0;
            var end = Clock.Now + seconds;
            while (Clock.Now < end)
            {
                if (published - Interlocked.Read(ref consumed) < 2000)
                {
                    await publisher.BasicPublishAsync("", queue, false, properties, body);
                    published++;
                }
                else await Task.Delay(1);
            }
            return Interlocked.Read(ref consumed) / seconds;
        }
        finally
        {
            await publisher.QueueDeleteAsync(queue);
        }
    }
}
