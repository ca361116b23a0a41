using MdrMesh.Contracts.Messages;
using MdrMesh.Contracts.Responses;
using MdrMesh.Executor.Executing;
using MdrMesh.Executor.Fleet;

namespace MdrMesh.Services.Tests;

/// <summary>Every rule of the simulated fleet, with its success and each failure reason: pure, no database.</summary>
public class FleetRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private const string Sha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Md5 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private static readonly Guid Incident = Guid.NewGuid();

    private static readonly FleetAsset Windows = new()
    {
        Id = "ws-1", HostName = "WS-1", Os = OsFamily.Windows, PowerShell = true,
        Files = [new FleetFile(@"C:\a.exe", 3 * 1024 * 1024, Sha, Md5)],
        Processes =
        [
            new FleetProcess(100, "100-1", @"C:\evil.exe", Sha, Md5, 300),
            new FleetProcess(101, "101-1", @"C:\Windows\explorer.exe", null, null, 200),
            new FleetProcess(102, "102-1", @"C:\other\EVIL.EXE", null, null, 100),
        ],
        Registry =
        [
            new RegistryKey(@"HKEY_LOCAL_MACHINE\SOFTWARE\Evil", new Dictionary<string, string> { [""] = "default", ["Run"] = "x" }),
            new RegistryKey(@"HKEY_LOCAL_MACHINE\SOFTWARE\Evil\Sub", new Dictionary<string, string> { ["A"] = "1" }),
            new RegistryKey(@"HKEY_LOCAL_MACHINE\SOFTWARE\Evil\ToShared", new Dictionary<string, string>(), @"HKEY_LOCAL_MACHINE\SOFTWARE\Shared"),
            new RegistryKey(@"HKEY_LOCAL_MACHINE\SOFTWARE\Shared", new Dictionary<string, string> { ["Keep"] = "1" }),
            new RegistryKey(@"HKEY_USERS\S-1\Link", new Dictionary<string, string>(), @"HKEY_LOCAL_MACHINE\SOFTWARE\Shared"),
        ],
    };

    private static readonly FleetAsset Linux = new() { Id = "srv-1", HostName = "srv-1", Os = OsFamily.Linux, Files = [new FleetFile("/tmp/x", 1, Sha, Md5)] };

    private static (FleetAsset? Asset, ExecutionOutcome Outcome) Run(FleetAsset? asset, ResponseParameters parameters, Guid? responseId = null) =>
        FleetRules.Execute(asset, new ExecutionRequest(responseId ?? Guid.NewGuid(), "t1", Incident, "ws-1", parameters), Now);

    private static string Reason(ExecutionOutcome outcome) => Assert.IsType<Failed>(outcome).ReasonCode;

    private static IReadOnlyDictionary<string, string> Done(ExecutionOutcome outcome) => Assert.IsType<Succeeded>(outcome).Details;

    [Fact]
    public void An_unknown_asset_fails_and_an_offline_or_absent_one_is_unreachable()
    {
        Assert.Equal(ReasonCodes.AssetNotFound, Reason(Run(null, new DisableIsolationParameters()).Outcome));
        Assert.IsType<Unreachable>(Run(Windows with { Status = AssetStatus.Offline }, new DisableIsolationParameters()).Outcome);
        Assert.IsType<Unreachable>(Run(Windows with { Status = AssetStatus.Absent }, new DisableIsolationParameters()).Outcome);
    }

    [Fact]
    public void Get_file_reports_size_and_hashes_within_the_limit()
    {
        var details = Done(Run(Windows, new GetFileParameters(@"c:\A.EXE", 3)).Outcome);

        Assert.Equal(("3145728", Sha, Md5), (details["size_bytes"], details["sha256"], details["md5"]));
        Assert.Contains("personal or confidential", details["notice"]);
    }

    [Fact]
    public void Get_file_fails_over_the_limit_and_when_absent()
    {
        Assert.Equal(ReasonCodes.FileTooLarge, Reason(Run(Windows, new GetFileParameters(@"C:\a.exe", 2)).Outcome));
        Assert.Equal(ReasonCodes.FileNotFound, Reason(Run(Windows, new GetFileParameters(@"C:\b.exe", 2)).Outcome));
        Assert.Equal(ReasonCodes.FileNotFound, Reason(Run(Linux, new GetFileParameters("/TMP/X", 2)).Outcome)); // POSIX paths keep case
    }

    [Fact]
    public void Isolate_sets_rules_term_and_task_and_a_later_isolation_replaces_it()
    {
        var first = Guid.NewGuid();
        var rules = new ExclusionRule?[] { new("Both", 6, new PortRange(443, 443)) };
        var (isolated, outcome) = Run(Windows, new IsolateParameters(60, rules, TaskId: "task-1"), first);

        Assert.Equal(new IsolationState(first, Incident, "task-1", rules, 60, Now, Now.AddSeconds(60)), isolated!.Isolation! with { ExclusionRules = rules });
        Assert.Equal(Now.AddSeconds(60), isolated.IsolationEndsAt);
        Assert.Null(Assert.IsType<Succeeded>(outcome).Undid);

        var (_, again) = Run(isolated, new IsolateParameters(120, [], TaskId: "task-2"));
        Assert.Equal(new UndoneResponse(first, Incident, UndoReason.IsolationReplaced), Assert.IsType<Succeeded>(again).Undid);
    }

    [Fact]
    public void Disable_isolation_lifts_it_and_names_the_isolation_it_ended()
    {
        var isolateId = Guid.NewGuid();
        var (isolated, _) = Run(Windows, new IsolateParameters(60, [], TaskId: "t"), isolateId);

        var (lifted, outcome) = Run(isolated, new DisableIsolationParameters());

        Assert.Null(lifted!.Isolation);
        Assert.Null(lifted.IsolationEndsAt);
        Assert.Equal("true", Done(outcome)["was_isolated"]);
        Assert.Equal(new UndoneResponse(isolateId, Incident, UndoReason.IsolationDisabled), ((Succeeded)outcome).Undid);
    }

    [Fact]
    public void Disable_isolation_on_an_asset_that_is_not_isolated_completes_and_says_so()
    {
        var details = Done(Run(Windows, new DisableIsolationParameters()).Outcome);

        Assert.Equal("false", details["was_isolated"]);
        Assert.Contains("not isolated", details["note"]);
    }

    [Fact]
    public void Isolation_lifts_by_itself_when_its_term_ends_and_only_then()
    {
        var isolateId = Guid.NewGuid();
        var (isolated, _) = Run(Windows, new IsolateParameters(60, [], TaskId: "t"), isolateId);

        Assert.Null(FleetRules.Expire(isolated!, Now.AddSeconds(59)).Undone);
        var (expired, undone) = FleetRules.Expire(isolated!, Now.AddSeconds(60));
        Assert.Null(expired.Isolation);
        Assert.Equal(new UndoneResponse(isolateId, Incident, UndoReason.IsolationExpired), undone);
        Assert.Null(FleetRules.Expire(expired, Now.AddDays(1)).Undone);
    }

    [Fact]
    public void Deleting_a_key_without_a_value_deletes_it_recursively_and_linked_subkeys_only_as_links()
    {
        var (after, outcome) = Run(Windows, new DeleteRegistryKeyParameters(@"hkey_local_machine\software\evil"));

        Assert.Equal([@"HKEY_LOCAL_MACHINE\SOFTWARE\Shared", @"HKEY_USERS\S-1\Link"], after!.Registry.Select(k => k.Key));
        Assert.Equal(("3", "1"), (Done(outcome)["deleted_keys"], Done(outcome)["deleted_links"]));
    }

    [Fact]
    public void Deleting_a_key_that_is_a_link_deletes_the_link_and_keeps_its_target()
    {
        var (after, outcome) = Run(Windows, new DeleteRegistryKeyParameters(@"HKEY_USERS\S-1\Link"));

        Assert.DoesNotContain(after!.Registry, k => k.Key == @"HKEY_USERS\S-1\Link");
        Assert.Equal("1", after.Registry.Single(k => k.Key == @"HKEY_LOCAL_MACHINE\SOFTWARE\Shared").Values["Keep"]);
        Assert.Equal("true", Done(outcome)["was_link"]);
    }

    [Fact]
    public void An_empty_value_deletes_the_default_value_and_a_name_deletes_that_value()
    {
        const string key = @"HKEY_LOCAL_MACHINE\SOFTWARE\Evil";
        var (noDefault, _) = Run(Windows, new DeleteRegistryKeyParameters(key, ""));
        var (noRun, _) = Run(Windows, new DeleteRegistryKeyParameters(key, "Run"));

        Assert.Equal(["Run"], noDefault!.Registry.Single(k => k.Key == key).Values.Keys);
        Assert.Equal([""], noRun!.Registry.Single(k => k.Key == key).Values.Keys);
        Assert.Equal(5, noRun.Registry.Count);
    }

    [Fact]
    public void Registry_failures_name_the_missing_key_or_value_and_the_platform()
    {
        Assert.Equal(ReasonCodes.RegistryKeyNotFound, Reason(Run(Windows, new DeleteRegistryKeyParameters(@"HKEY_USERS\Nope")).Outcome));
        Assert.Equal(ReasonCodes.RegistryValueNotFound, Reason(Run(Windows, new DeleteRegistryKeyParameters(@"HKEY_LOCAL_MACHINE\SOFTWARE\Shared", "")).Outcome));
        Assert.Equal(ReasonCodes.RegistryValueNotFound, Reason(Run(Windows, new DeleteRegistryKeyParameters(@"HKEY_LOCAL_MACHINE\SOFTWARE\Shared", "Gone")).Outcome));
        Assert.Equal(ReasonCodes.UnsupportedPlatform, Reason(Run(Linux, new DeleteRegistryKeyParameters(@"HKEY_USERS\X")).Outcome));
    }

    [Fact]
    public void A_full_dump_honours_the_process_count_limit_and_the_size_limit()
    {
        var limited = Done(Run(Windows, new MemoryDumpParameters("Full", 500, ProcessCountLimit: 2)).Outcome);
        var everything = Done(Run(Windows, new MemoryDumpParameters("Full", 600)).Outcome);

        Assert.Equal(("2", "500"), (limited["processes"], limited["size_mb"]));
        Assert.Equal(("3", "600"), (everything["processes"], everything["size_mb"]));
        Assert.Equal(ReasonCodes.FileTooLarge, Reason(Run(Windows, new MemoryDumpParameters("Full", 599)).Outcome));
    }

    [Fact]
    public void A_process_dump_needs_the_process_with_the_given_image_and_hashes()
    {
        DumpedProcess Process(string uniqueId, string path, string? sha = null) => new(new ProcessImage(path, sha), uniqueId);

        Assert.Equal("300", Done(Run(Windows, new MemoryDumpParameters("Process", 300, Process("100-1", @"c:\EVIL.exe", Sha))).Outcome)["size_mb"]);
        Assert.Equal(ReasonCodes.FileTooLarge, Reason(Run(Windows, new MemoryDumpParameters("Process", 299, Process("100-1", @"C:\evil.exe"))).Outcome));
        Assert.Equal(ReasonCodes.ProcessNotFound, Reason(Run(Windows, new MemoryDumpParameters("Process", 999, Process("999-9", @"C:\evil.exe"))).Outcome));
        Assert.Equal(ReasonCodes.ProcessNotFound, Reason(Run(Windows, new MemoryDumpParameters("Process", 999, Process("100-1", @"C:\good.exe"))).Outcome));
        Assert.Equal(ReasonCodes.HashMismatch,
            Reason(Run(Windows, new MemoryDumpParameters("Process", 999, Process("100-1", @"C:\evil.exe", new string('c', 64)))).Outcome));
    }

    [Fact]
    public void Terminate_by_name_ends_every_process_of_that_image_and_by_pid_one()
    {
        var (byName, named) = Run(Windows, new TerminateProcessParameters(ProcessName: "evil.exe"));
        var (byPid, pid) = Run(Windows, new TerminateProcessParameters(Pid: 101));

        Assert.Equal("100,102", Done(named)["terminated_pids"]);
        Assert.Equal([101L], byName!.Processes.Select(p => p.Pid));
        Assert.Equal("101", Done(pid)["terminated_pids"]);
        Assert.Equal([100L, 102L], byPid!.Processes.Select(p => p.Pid));
    }

    [Fact]
    public void Terminate_fails_off_Windows_and_without_such_a_process()
    {
        Assert.Equal(ReasonCodes.UnsupportedPlatform, Reason(Run(Linux, new TerminateProcessParameters(Pid: 1)).Outcome));
        Assert.Equal(ReasonCodes.ProcessNotFound, Reason(Run(Windows, new TerminateProcessParameters(Pid: 4)).Outcome));
        Assert.Equal(ReasonCodes.ProcessNotFound, Reason(Run(Windows, new TerminateProcessParameters(ProcessName: "calc.exe")).Outcome));
    }

    [Fact]
    public void Run_script_records_its_result_and_needs_Windows_and_PowerShell()
    {
        var details = Done(Run(Windows, new RunScriptParameters("Get-Process\nStop-Process -Name evil", "stop it")).Outcome);

        Assert.Equal("0", details["exit_code"]);
        Assert.Contains("2 line(s)", details["output"]);
        Assert.Equal(ReasonCodes.UnsupportedPlatform, Reason(Run(Linux, new RunScriptParameters("ls", "list")).Outcome));
        Assert.Equal(ReasonCodes.PowerShellMissing, Reason(Run(Windows with { PowerShell = false }, new RunScriptParameters("x", "y")).Outcome));
    }

    [Fact]
    public void Quarantine_moves_the_file_when_its_hash_matches_and_nothing_otherwise()
    {
        var quarantineId = Guid.NewGuid();
        var (moved, outcome) = Run(Windows, new QuarantineFileParameters(@"C:\a.exe", Md5: Md5.ToUpperInvariant()), quarantineId);
        var (untouched, mismatch) = Run(Windows, new QuarantineFileParameters(@"C:\a.exe", Sha256: new string('c', 64)));

        Assert.Empty(moved!.Files);
        Assert.Equal(new QuarantinedFile(quarantineId, Incident, @"C:\a.exe", 3 * 1024 * 1024, Sha, Md5, Now), Assert.Single(moved.Quarantine));
        Assert.Equal(@"C:\a.exe", Done(outcome)["quarantined"]);
        Assert.Equal(ReasonCodes.HashMismatch, Reason(mismatch));
        Assert.Same(Windows, untouched);
        Assert.Equal(ReasonCodes.FileNotFound, Reason(Run(Windows, new QuarantineFileParameters(@"C:\b.exe", Md5: Md5)).Outcome));
    }

    [Fact]
    public void Restore_puts_the_file_back_and_names_the_quarantine_it_undid()
    {
        var quarantineId = Guid.NewGuid();
        var (quarantined, _) = Run(Windows, new QuarantineFileParameters(@"C:\a.exe", Sha256: Sha), quarantineId);

        var (restored, outcome) = Run(quarantined, new RestoreFromQuarantineParameters(@"C:\A.exe"));

        Assert.Equal(Windows.Files, restored!.Files);
        Assert.Empty(restored.Quarantine);
        Assert.Equal(new UndoneResponse(quarantineId, Incident, UndoReason.RestoredFromQuarantine), Assert.IsType<Succeeded>(outcome).Undid);
    }

    [Fact]
    public void Restore_refuses_when_a_file_of_that_name_is_back_or_nothing_is_quarantined()
    {
        var (quarantined, _) = Run(Windows, new QuarantineFileParameters(@"C:\a.exe", Sha256: Sha));
        var occupied = quarantined! with { Files = [new FleetFile(@"C:\a.exe", 1, new string('d', 64), new string('e', 32))] };

        var (after, outcome) = Run(occupied, new RestoreFromQuarantineParameters(@"C:\a.exe"));

        Assert.Equal(ReasonCodes.RestoreTargetExists, Reason(outcome));
        Assert.Same(occupied, after);
        Assert.Equal(ReasonCodes.NotInQuarantine, Reason(Run(Windows, new RestoreFromQuarantineParameters(@"C:\a.exe")).Outcome));
        Assert.Equal(ReasonCodes.NotInQuarantine, Reason(Run(quarantined, new RestoreFromQuarantineParameters(@"C:\a.exe", Md5: new string('f', 32))).Outcome));
    }
}
