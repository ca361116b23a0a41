using System.Globalization;

namespace MdrMesh.Bench;

/// <summary>Command line (see deploy/bench.sh --help) and the environment deploy/bench.sh passes.</summary>
public sealed class Options
{
    public List<double> Rates { get; } = [];
    public double Duration { get; set; } = 60;
    public int? Closed { get; set; }
    public bool Outbreak { get; set; }
    public int OutbreakResponses { get; set; } = 10_000;
    public int OutbreakIncidents { get; set; } = 2_000;
    public bool Reads { get; set; }
    public int SeedIncidents { get; set; } = 1_000;
    public int ReadCalls { get; set; } = 200;

    /// <summary>Copies of each seeded incident (and its history) written straight into PostgreSQL, for a large store fast.</summary>
    public int SeedCopies { get; set; }
    public bool FloorsOn { get; set; } = true;
    /// <summary>Open loop: also measure commit → delivery of notifications (an e-mail subscription); --no-notifications leaves it out.</summary>
    public bool Notifications { get; set; } = true;
    public double FloorSeconds { get; set; } = 5;
    public double Deadline { get; set; } = 120;

    /// <summary>Seconds of light load (5/s) before anything is measured, reported nowhere: the services' first calls JIT-compile and fill caches.</summary>
    public double Warmup { get; set; } = 10;
    public double UnfinishedAfter { get; set; } = 10;
    public int Connections { get; set; } = 4;
    public int Concurrency { get; set; } = 64;
    public bool Smoke { get; set; }

    /// <summary>Per scenario: transactions, statements and rows written per response, CPU-ms per response per container, top statements.</summary>
    public bool Profile { get; set; }

    /// <summary>The restart suite (deploy/chaos.sh): rounds of each fault, the rate offered meanwhile, and each round's load.</summary>
    public int ChaosRounds { get; set; }
    public double ChaosRate { get; set; } = 20;
    public double ChaosLoadSeconds { get; set; } = 15;

    /// <summary>Assets the bench registers and spreads the load over (0: the demo fleet of deploy/fleet.json).</summary>
    public int Assets { get; set; } = 500;
    public string Output { get; set; } = "deploy/.local/bench";

    public required string ApiBase { get; init; }
    public required string Access { get; init; }
    public required string FleetFile { get; init; }
    public required string PostgresConnection { get; init; }
    public required string RabbitHost { get; init; }
    public required int RabbitPort { get; init; }
    public required string RabbitPassword { get; init; }
    public string Commit { get; init; } = "";

    public string CommandLine { get; private set; } = "";

    public static Options Parse(string[] args)
    {
        string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new BenchException($"{name} is not set (run deploy/bench.sh)");
        string EnvOr(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
        var o = new Options
        {
            ApiBase = Env("MDRMESH_BENCH_API"), Access = Env("MDRMESH_BENCH_ACCESS"), FleetFile = Env("MDRMESH_BENCH_FLEET"),
            PostgresConnection = $"Host={EnvOr("MDRMESH_BENCH_POSTGRES_HOST", "127.0.0.1")};Port={EnvOr("MDRMESH_BENCH_POSTGRES_PORT", "5432")};" +
                                 $"Database=mdrmesh;Username=mdrmesh;Password={Env("POSTGRES_PASSWORD")};Maximum Pool Size=16",
            RabbitHost = EnvOr("MDRMESH_BENCH_RABBITMQ_HOST", "127.0.0.1"), RabbitPort = int.Parse(EnvOr("MDRMESH_BENCH_RABBITMQ_PORT", "5672"), CultureInfo.InvariantCulture),
            RabbitPassword = Env("RABBITMQ_PASSWORD"), Commit = EnvOr("MDRMESH_BENCH_COMMIT", "unknown"),
            // As the user typed it: without the --out that deploy/bench.sh puts first.
            CommandLine = string.Join(' ', args.Length >= 2 && args[0] == "--out" ? args[2..] : args),
        };
        var chosen = false;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new BenchException($"{args[i]} needs a value");
            double Number() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new BenchException($"{args[i - 1]}: a positive number");
            switch (args[i])
            {
                case "--rate": o.Rates.AddRange(Value().Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture))); chosen = true; break;
                case "--duration": o.Duration = Number(); break;
                case "--closed": o.Closed = (int)Number(); chosen = true; break;
                case "--outbreak": o.Outbreak = true; chosen = true; break;
                case "--outbreak-responses": o.OutbreakResponses = (int)Number(); break;
                case "--outbreak-incidents": o.OutbreakIncidents = (int)Number(); break;
                case "--reads": o.Reads = true; chosen = true; break;
                case "--seed-incidents": o.SeedIncidents = (int)Number(); break;
                case "--read-calls": o.ReadCalls = (int)Number(); break;
                case "--seed-copies": o.SeedCopies = (int)Number(); break;
                case "--floors": chosen = true; break;
                case "--no-floors": o.FloorsOn = false; break;
                case "--no-notifications": o.Notifications = false; break;
                case "--floor-seconds": o.FloorSeconds = Number(); break;
                case "--deadline": o.Deadline = Number(); break;
                case "--warmup": o.Warmup = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && w >= 0 ? w : throw new BenchException("--warmup: seconds, 0 or more"); break;
                case "--unfinished-after": o.UnfinishedAfter = Number(); break;
                case "--connections": o.Connections = (int)Number(); break;
                case "--assets": o.Assets = (int)Number(); break;
                case "--concurrency": o.Concurrency = (int)Number(); break;
                case "--out": o.Output = Value(); break;
                case "--smoke": o.Smoke = true; chosen = true; break;
                case "--profile": o.Profile = true; break;
                case "--chaos": o.ChaosRounds = (int)Number(); chosen = true; break;
                case "--chaos-rate": o.ChaosRate = Number(); break;
                case "--chaos-load": o.ChaosLoadSeconds = Number(); break;
                default: throw new BenchException($"unknown option {args[i]} (deploy/bench.sh --help)");
            }
        }
        if (o.Smoke)
        {
            // About ten seconds of load that touches every part of the bench; proves it works, measures nothing.
            o.Rates.Clear(); o.Rates.Add(5); o.Duration = 5; o.Closed = 4; o.Outbreak = true; o.Reads = true; o.Warmup = 1;
            o.OutbreakResponses = 20; o.OutbreakIncidents = 4; o.Assets = Math.Min(o.Assets, 20); o.SeedIncidents = 20; o.ReadCalls = 5; o.SeedCopies = 2; o.FloorSeconds = 2; o.Deadline = 60;
        }
        else if (!chosen)
        {
            // The full run: the floors, the two open-loop targets, the maximum and the outbreak.
            o.Rates.AddRange([50, 250]); o.Closed = 32; o.Outbreak = true;
        }
        if (o.Smoke) o.SmokeClosedSeconds = 2;
        return o;
    }

    /// <summary>The closed loop runs for --duration, but only a moment in smoke mode.</summary>
    public double? SmokeClosedSeconds { get; private set; }
}
