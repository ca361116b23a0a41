using System.Text.Json;
using MdrMesh.Contracts.Isolation;
using MdrMesh.Contracts.Responses;

namespace MdrMesh.Contracts.Tests;

public class JsonRoundTripTests
{
    private static readonly ResponseParameters[] Samples =
    [
        new GetFileParameters(@"C:\evil.exe", 10),
        new IsolateParameters(3600,
            [new ExclusionRule("Both", 6, new PortRange(443, 443), new PortRange(1024, 65535), "10.0.0.0/8", "fd00::/64",
                "192.168.0.1", "::1", new ProcessImageRef(new ImagePath(@"C:\edr.exe")))])
            .WithPassword(IsolationPassword.Generate()),
        new DisableIsolationParameters(),
        new DeleteRegistryKeyParameters(@"HKEY_LOCAL_MACHINE\SOFTWARE\Run", ""),
        new MemoryDumpParameters("Process", 100,
            new DumpedProcess(new ProcessImage(@"C:\evil.exe", new string('a', 64), new string('b', 32)), "7-42"), 3),
        new TerminateProcessParameters(Pid: 4242),
        new RunScriptParameters("Get-Process", "Lists processes"),
        new QuarantineFileParameters(@"C:\evil.exe", Sha256: new string('c', 64)),
        new RestoreFromQuarantineParameters(@"C:\evil.exe", Md5: new string('d', 32)),
    ];

    public static TheoryData<ResponseParameters> EveryType => new(Samples);

    [Theory]
    [MemberData(nameof(EveryType))]
    public void Every_type_survives_a_round_trip_with_its_type_name(ResponseParameters original)
    {
        var json = JsonSerializer.Serialize(original, ResponseJson.Options);
        var back = JsonSerializer.Deserialize<ResponseParameters>(json, ResponseJson.Options)!;

        Assert.Equal(original.GetType(), back.GetType());
        Assert.Equal(json, JsonSerializer.Serialize(back, ResponseJson.Options));
        Assert.Equal(original.Type, JsonDocument.Parse(json).RootElement.GetProperty("type").GetString());
        Assert.Empty(back.Validate());
    }

    [Fact]
    public void Fields_carry_the_wire_names_of_the_spec()
    {
        var json = JsonSerializer.Serialize(Samples.OfType<IsolateParameters>().Single(), ResponseJson.Options);

        foreach (var name in new[] { "isolation_term_seconds", "exclusion_rules", "remote_port_range", "local_port_range",
                     "remote_ipv4", "remote_ipv6", "local_ipv4", "local_ipv6", "task_id", "password_details", "derived_key" })
            Assert.Contains($"\"{name}\"", json);
    }

    [Fact]
    public void An_absent_registry_value_stays_absent_and_an_empty_one_stays_empty()
    {
        var absent = JsonSerializer.Serialize<ResponseParameters>(new DeleteRegistryKeyParameters(@"HKEY_USERS\S\Run"), ResponseJson.Options);
        var empty = JsonSerializer.Serialize<ResponseParameters>(new DeleteRegistryKeyParameters(@"HKEY_USERS\S\Run", ""), ResponseJson.Options);

        Assert.DoesNotContain("\"value\"", absent);
        Assert.Equal("", ((DeleteRegistryKeyParameters)JsonSerializer.Deserialize<ResponseParameters>(empty, ResponseJson.Options)!).Value);
    }

    [Fact]
    public void The_type_name_may_come_after_the_fields()
    {
        var back = JsonSerializer.Deserialize<ResponseParameters>("""{"pid":7,"type":"TERMINATE_PROCESS"}""", ResponseJson.Options);

        Assert.Equal(7, Assert.IsType<TerminateProcessParameters>(back).Pid);
    }
}
