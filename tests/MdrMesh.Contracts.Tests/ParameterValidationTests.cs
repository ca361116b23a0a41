using System.Text.Json;
using MdrMesh.Contracts.Responses;

namespace MdrMesh.Contracts.Tests;

/// <summary>Every rule of the response-type spec, once passing and once failing, read as the API reads a proposal.</summary>
public class ParameterValidationTests
{
    private static ParsedResponse Parse(string type, string json) =>
        ResponseRequest.Parse(type, JsonDocument.Parse(json).RootElement);

    [Theory]
    [InlineData("GET_FILE", """{"path":"C:\\Windows\\evil.exe","max_file_size_mb":10}""")]
    [InlineData("GET_FILE", """{"path":"/usr/bin/evil","max_file_size_mb":1}""")]
    [InlineData("ISOLATE", """{}""")]
    [InlineData("ISOLATE", """{"isolation_term_seconds":1}""")]
    [InlineData("ISOLATE", """{"isolation_term_seconds":2678400}""")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","protocol":6,"remote_port_range":{"from":443,"to":443},"local_port_range":{"from":0,"to":65535}}]}""")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Outbound","protocol":17,"remote_ipv4":"10.0.0.0/8","local_ipv4":"192.168.1.5"}]}""")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Inbound","protocol":58,"remote_ipv6":"fd00::/64","local_ipv6":"::1"}]}""")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Inbound","protocol":1,"remote_ipv4":"0.0.0.0/0"}]}""")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","process":{"image":{"path":"C:\\Program Files\\EDR\\agent.exe"}}}]}""")]
    [InlineData("DISABLE_ISOLATION", """{}""")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKEY_LOCAL_MACHINE\\SYSTEM\\WebClient"}""")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKEY_USERS\\S-1-5-21\\Software\\Run","value":""}""")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKEY_LOCAL_MACHINE\\SOFTWARE\\Run","value":"Updater"}""")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Full"}""")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Full","max_file_size_mb":500,"process_count_limit":50}""")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Process","process":{"image":{"path":"C:\\evil.exe","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","md5":"D41D8CD98F00B204E9800998ECF8427E"},"unique_id":"42-7"}}""")]
    [InlineData("TERMINATE_PROCESS", """{"process_name":"evil.exe"}""")]
    [InlineData("TERMINATE_PROCESS", """{"pid":4242}""")]
    [InlineData("RUN_SCRIPT", """{"script":"Get-Process | Stop-Process -Name evil","description":"Stops the miner"}""")]
    [InlineData("QUARANTINE_FILE", """{"path":"C:\\Users\\a\\evil.exe","md5":"d41d8cd98f00b204e9800998ecf8427e"}""")]
    [InlineData("QUARANTINE_FILE", """{"path":"/tmp/evil","sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}""")]
    [InlineData("RESTORE_FROM_QUARANTINE", """{"path":"C:\\Users\\a\\report.docx"}""")]
    [InlineData("RESTORE_FROM_QUARANTINE", """{"path":"C:\\Users\\a\\report.docx","md5":"d41d8cd98f00b204e9800998ecf8427e"}""")]
    public void Valid_parameters_are_accepted(string type, string json)
    {
        var parsed = Parse(type, json);

        Assert.Empty(parsed.Errors);
        Assert.Equal(type, parsed.Parameters!.Type);
    }

    [Theory]
    // Get file
    [InlineData("GET_FILE", """{"max_file_size_mb":10}""", "parameters.path", "is required")]
    [InlineData("GET_FILE", """{"path":"","max_file_size_mb":10}""", "parameters.path", "must not be empty")]
    [InlineData("GET_FILE", """{"path":"evil.exe","max_file_size_mb":10}""", "parameters.path", "absolute path")]
    [InlineData("GET_FILE", """{"path":"C:\\Windows\\..\\secret.txt","max_file_size_mb":10}""", "parameters.path", "'..'")]
    [InlineData("GET_FILE", """{"path":"/etc/../etc/shadow","max_file_size_mb":10}""", "parameters.path", "'..'")]
    [InlineData("GET_FILE", """{"path":"C:\\a\u0000b","max_file_size_mb":10}""", "parameters.path", "NUL")]
    [InlineData("GET_FILE", """{"path":"C:\\a.exe"}""", "parameters.max_file_size_mb", "is required")]
    [InlineData("GET_FILE", """{"path":"C:\\a.exe","max_file_size_mb":0}""", "parameters.max_file_size_mb", "between 1 and")]
    [InlineData("GET_FILE", """{"path":"C:\\a.exe","max_file_size_mb":"ten"}""", "parameters.max_file_size_mb", "wrong JSON type")]
    // Isolate
    [InlineData("ISOLATE", """{"isolation_term_seconds":0}""", "parameters.isolation_term_seconds", "between 1 and 2678400")]
    [InlineData("ISOLATE", """{"isolation_term_seconds":2678401}""", "parameters.isolation_term_seconds", "between 1 and 2678400")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"protocol":6}]}""", "parameters.exclusion_rules[0].direction", "is required")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Sideways","protocol":6}]}""", "parameters.exclusion_rules[0].direction", "one of Inbound, Outbound, Both")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","protocol":2}]}""", "parameters.exclusion_rules[0].protocol", "one of 1 (ICMP)")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","protocol":6,"remote_port_range":{"from":1,"to":65536}}]}""", "parameters.exclusion_rules[0].remote_port_range.to", "between 0 and 65535")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","protocol":6,"local_port_range":{"from":-1,"to":80}}]}""", "parameters.exclusion_rules[0].local_port_range.from", "between 0 and 65535")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","protocol":6,"remote_port_range":{"from":443,"to":80}}]}""", "parameters.exclusion_rules[0].remote_port_range.to", "greater than or equal to from")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","protocol":6,"remote_port_range":{"from":443}}]}""", "parameters.exclusion_rules[0].remote_port_range.to", "is required")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","protocol":1,"remote_port_range":{"from":1,"to":2}}]}""", "parameters.exclusion_rules[0].remote_port_range", "only allowed with protocol 6 (TCP) or 17 (UDP)")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","remote_ipv4":"300.1.1.1"}]}""", "parameters.exclusion_rules[0].remote_ipv4", "IPv4")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","local_ipv4":"10.0.0.0/33"}]}""", "parameters.exclusion_rules[0].local_ipv4", "IPv4")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","remote_ipv4":"10.1"}]}""", "parameters.exclusion_rules[0].remote_ipv4", "IPv4")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","remote_ipv6":"fd00::zz"}]}""", "parameters.exclusion_rules[0].remote_ipv6", "IPv6")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","local_ipv6":"1:2:3:4:5:6:7:8:9"}]}""", "parameters.exclusion_rules[0].local_ipv6", "IPv6")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","remote_ipv6":"fd00::/129"}]}""", "parameters.exclusion_rules[0].remote_ipv6", "IPv6")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","remote_ipv6":"10.0.0.1"}]}""", "parameters.exclusion_rules[0].remote_ipv6", "IPv6")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","process":{"image":{"path":"agent.exe"}}}]}""", "parameters.exclusion_rules[0].process.image.path", "absolute path")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both","process":{}}]}""", "parameters.exclusion_rules[0].process.image", "is required")]
    [InlineData("ISOLATE", """{"exclusion_rules":[{"direction":"Both"}]}""", "parameters.exclusion_rules[0]", "at least one of")]
    [InlineData("ISOLATE", """{"exclusion_rules":[null]}""", "parameters.exclusion_rules[0]", "is required")]
    [InlineData("ISOLATE", """{"password":"mine"}""", "parameters.password", "generated by MdrMesh")]
    // Delete registry key
    [InlineData("DELETE_REGISTRY_KEY", """{}""", "parameters.key", "is required")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKEY_CURRENT_USER\\Software\\Run"}""", "parameters.key", "HKEY_LOCAL_MACHINE")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKLM\\Software\\Run"}""", "parameters.key", "HKEY_LOCAL_MACHINE")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKEY_LOCAL_MACHINE"}""", "parameters.key", "under the root")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKEY_LOCAL_MACHINE\\\\Run"}""", "parameters.key", "no empty segments")]
    [InlineData("DELETE_REGISTRY_KEY", """{"key":"HKEY_LOCAL_MACHINE\\Run","value":"a\u0000b"}""", "parameters.value", "NUL")]
    // Memory dump
    [InlineData("MEMORY_DUMP", """{}""", "parameters.dump_type", "is required")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Partial"}""", "parameters.dump_type", "one of Full, Process")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Process"}""", "parameters.process", "is required")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Full","process":{"image":{"path":"C:\\a.exe"},"unique_id":"1"}}""", "parameters.process", "only allowed with dump_type Process")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Full","max_file_size_mb":0}""", "parameters.max_file_size_mb", "between 1 and")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Full","process_count_limit":0}""", "parameters.process_count_limit", "between 1 and")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Process","process":{"image":{"path":"a.exe"},"unique_id":"1"}}""", "parameters.process.image.path", "absolute path")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Process","process":{"image":{"path":"C:\\a.exe","sha256":"abc"},"unique_id":"1"}}""", "parameters.process.image.sha256", "64 hexadecimal")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Process","process":{"image":{"path":"C:\\a.exe","md5":"g41d8cd98f00b204e9800998ecf8427e"},"unique_id":"1"}}""", "parameters.process.image.md5", "32 hexadecimal")]
    [InlineData("MEMORY_DUMP", """{"dump_type":"Process","process":{"image":{"path":"C:\\a.exe"}}}""", "parameters.process.unique_id", "is required")]
    // Terminate process
    [InlineData("TERMINATE_PROCESS", """{}""", "parameters.process_name", "exactly one of process_name and pid")]
    [InlineData("TERMINATE_PROCESS", """{"process_name":"a.exe","pid":4}""", "parameters.pid", "exactly one of process_name and pid")]
    [InlineData("TERMINATE_PROCESS", """{"pid":0}""", "parameters.pid", "between 1 and")]
    [InlineData("TERMINATE_PROCESS", """{"process_name":""}""", "parameters.process_name", "must not be empty")]
    // Run script
    [InlineData("RUN_SCRIPT", """{"description":"d"}""", "parameters.script", "is required")]
    [InlineData("RUN_SCRIPT", """{"script":"Get-Process"}""", "parameters.description", "is required")]
    [InlineData("RUN_SCRIPT", """{"script":"","description":"d"}""", "parameters.script", "must not be empty")]
    // Quarantine
    [InlineData("QUARANTINE_FILE", """{"path":"C:\\evil.exe"}""", "parameters.sha256", "md5 or sha256 is required")]
    [InlineData("QUARANTINE_FILE", """{"path":"C:\\evil.exe","md5":"d41d8cd98f00b204e9800998ecf8427"}""", "parameters.md5", "32 hexadecimal")]
    [InlineData("QUARANTINE_FILE", """{"path":"C:\\evil.exe","sha256":"z3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}""", "parameters.sha256", "64 hexadecimal")]
    [InlineData("QUARANTINE_FILE", """{"path":"evil.exe","md5":"d41d8cd98f00b204e9800998ecf8427e"}""", "parameters.path", "absolute path")]
    // Restore
    [InlineData("RESTORE_FROM_QUARANTINE", """{}""", "parameters.path", "is required")]
    [InlineData("RESTORE_FROM_QUARANTINE", """{"path":"C:\\a\\..\\b"}""", "parameters.path", "'..'")]
    [InlineData("RESTORE_FROM_QUARANTINE", """{"path":"C:\\a.docx","sha256":"abc"}""", "parameters.sha256", "64 hexadecimal")]
    // Shape
    [InlineData("GET_FILE", """{"path":"C:\\a.exe","max_file_size_mb":1,"maxFileSizeMb":1}""", "parameters.maxFileSizeMb", "not a field")]
    [InlineData("DISABLE_ISOLATION", """{"force":true}""", "parameters.force", "not a field")]
    public void Invalid_parameters_name_the_field_and_the_rule(string type, string json, string field, string rule)
    {
        var parsed = Parse(type, json);

        Assert.Null(parsed.Parameters);
        Assert.Contains(parsed.Errors, e => e.Field == field && e.Rule.Contains(rule, StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_or_missing_type_is_rejected_and_lists_the_known_types()
    {
        var unknown = ResponseRequest.Parse("FORMAT_DISK", JsonDocument.Parse("{}").RootElement);
        var missing = ResponseRequest.Parse(null, JsonDocument.Parse("{}").RootElement);

        var error = Assert.Single(unknown.Errors);
        Assert.Equal("type", error.Field);
        Assert.Contains("RESTORE_FROM_QUARANTINE", error.Rule);
        Assert.Equal("type", Assert.Single(missing.Errors).Field);
    }

    [Fact]
    public void Parameters_that_are_not_an_object_are_rejected()
    {
        var parsed = Parse("GET_FILE", "[1,2]");

        Assert.Equal("parameters", Assert.Single(parsed.Errors).Field);
    }

    [Fact]
    public void Every_error_of_one_request_is_reported_together()
    {
        const string json = """
            {"isolation_term_seconds":0,
             "exclusion_rules":[
               {"direction":"Both","protocol":6,"remote_port_range":{"from":10,"to":"x"}},
               {"direction":"Up","protocol":2,"remote_ipv4":"300.1.1.1"},
               {"direction":"Both","protocol":17,"remote_port_range":{"from":80,"to":65536},"remote_ipv6":"fd00:::1","unknown":1}]}
            """;

        var fields = Parse("ISOLATE", json).Errors.Select(e => e.Field).ToHashSet();

        Assert.Equal(
            new HashSet<string>
            {
                "parameters.isolation_term_seconds",
                "parameters.exclusion_rules[0].remote_port_range.to",
                "parameters.exclusion_rules[1].direction",
                "parameters.exclusion_rules[1].protocol",
                "parameters.exclusion_rules[1].remote_ipv4",
                "parameters.exclusion_rules[2].remote_port_range.to",
                "parameters.exclusion_rules[2].remote_ipv6",
                "parameters.exclusion_rules[2].unknown",
            },
            fields);
    }

    [Fact]
    public void Defaults_of_the_spec_are_applied()
    {
        var isolate = (IsolateParameters)Parse("ISOLATE", "{}").Parameters!;
        var dump = (MemoryDumpParameters)Parse("MEMORY_DUMP", """{"dump_type":"Full"}""").Parameters!;

        Assert.Equal(604_800, isolate.IsolationTermSeconds);
        Assert.Empty(isolate.ExclusionRules!);
        Assert.Equal(100, dump.MaxFileSizeMb);
    }

    [Fact]
    public void Given_values_are_not_replaced_by_defaults()
    {
        var isolate = (IsolateParameters)Parse("ISOLATE", """{"isolation_term_seconds":60}""").Parameters!;
        var dump = (MemoryDumpParameters)Parse("MEMORY_DUMP", """{"dump_type":"Full","max_file_size_mb":7}""").Parameters!;

        Assert.Equal(60, isolate.IsolationTermSeconds);
        Assert.Equal(7, dump.MaxFileSizeMb);
    }

    [Fact]
    public void Registry_value_absent_and_empty_are_different_requests()
    {
        var absent = (DeleteRegistryKeyParameters)Parse("DELETE_REGISTRY_KEY", """{"key":"HKEY_USERS\\S-1\\Run"}""").Parameters!;
        var empty = (DeleteRegistryKeyParameters)Parse("DELETE_REGISTRY_KEY", """{"key":"HKEY_USERS\\S-1\\Run","value":""}""").Parameters!;

        Assert.Null(absent.Value);
        Assert.Equal("", empty.Value);
    }

    [Fact]
    public void A_thousand_unknown_fields_are_each_reported_once()
    {
        var fields = Enumerable.Range(0, 1000).Select(i => $"\"extra_{i}\":{i}");
        var json = $$"""{"path":"C:\\a.exe","max_file_size_mb":"ten",{{string.Join(",", fields)}}}""";

        var parsed = Parse("GET_FILE", json);

        Assert.Null(parsed.Parameters);
        Assert.Equal(1000, parsed.Errors.Count(e => e.Field.StartsWith("parameters.extra_") && e.Rule == "is not a field of this response type"));
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"parameters.extra_{i}"), parsed.Errors.Where(e => e.Field.StartsWith("parameters.extra_")).Select(e => e.Field));
        Assert.Contains(parsed.Errors, e => e.Field == "parameters.max_file_size_mb" && e.Rule.Contains("wrong JSON type"));
    }

    [Theory]
    [InlineData("""{"exclusion_rules":"none"}""", "parameters.exclusion_rules")]
    [InlineData("""{"exclusion_rules":[{"direction":"Both","protocol":6},"rule"]}""", "parameters.exclusion_rules[1]")]
    [InlineData("""{"exclusion_rules":[{"direction":"Both","protocol":6,"process":{"image":{"path":7}}}]}""", "parameters.exclusion_rules[0].process.image.path")]
    [InlineData("""{"exclusion_rules":[{"direction":"Both","protocol":6,"remote_port_range":[1,2]}]}""", "parameters.exclusion_rules[0].remote_port_range")]
    [InlineData("""{"isolation_term_seconds":1.5}""", "parameters.isolation_term_seconds")]
    [InlineData("""{"isolation_term_seconds":99999999999999999999}""", "parameters.isolation_term_seconds")]
    public void Values_of_the_wrong_shape_are_reported_at_their_exact_path_once(string json, string field)
    {
        var parsed = Parse("ISOLATE", json);

        Assert.Null(parsed.Parameters);
        var error = Assert.Single(parsed.Errors, e => e.Field == field);
        Assert.Contains("wrong JSON type", error.Rule);
    }

    [Fact]
    public void A_field_named_twice_is_rejected()
    {
        var parsed = Parse("GET_FILE", """{"path":"/a.exe","path":"/b.exe","max_file_size_mb":1}""");

        Assert.Null(parsed.Parameters);
        Assert.Equal("parameters", Assert.Single(parsed.Errors).Field);
    }
}
