namespace MdrMesh.Contracts.Responses;

/// <summary>The API's names of the nine response types.</summary>
public static class ResponseType
{
    public const string GetFile = "GET_FILE";
    public const string Isolate = "ISOLATE";
    public const string DisableIsolation = "DISABLE_ISOLATION";
    public const string DeleteRegistryKey = "DELETE_REGISTRY_KEY";
    public const string MemoryDump = "MEMORY_DUMP";
    public const string TerminateProcess = "TERMINATE_PROCESS";
    public const string RunScript = "RUN_SCRIPT";
    public const string QuarantineFile = "QUARANTINE_FILE";
    public const string RestoreFromQuarantine = "RESTORE_FROM_QUARANTINE";

    /// <summary>Each type name with the record that carries its parameters.</summary>
    public static readonly IReadOnlyDictionary<string, Type> ParameterTypes = new Dictionary<string, Type>
    {
        [GetFile] = typeof(GetFileParameters),
        [Isolate] = typeof(IsolateParameters),
        [DisableIsolation] = typeof(DisableIsolationParameters),
        [DeleteRegistryKey] = typeof(DeleteRegistryKeyParameters),
        [MemoryDump] = typeof(MemoryDumpParameters),
        [TerminateProcess] = typeof(TerminateProcessParameters),
        [RunScript] = typeof(RunScriptParameters),
        [QuarantineFile] = typeof(QuarantineFileParameters),
        [RestoreFromQuarantine] = typeof(RestoreFromQuarantineParameters),
    };

    private static readonly Dictionary<Type, string> Names = ParameterTypes.ToDictionary(p => p.Value, p => p.Key);

    public static string NameOf(Type parametersType) => Names[parametersType];

    public static IReadOnlyCollection<string> All => (IReadOnlyCollection<string>)ParameterTypes.Keys;
}
