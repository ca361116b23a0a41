using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>
/// The parameters of a response, one record per type. On the wire the object carries its type
/// name in <c>type</c> and the snake_case fields of the spec. Fields are nullable because they
/// model what a caller sent; <see cref="Validate"/> says what is missing or wrong.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(GetFileParameters), ResponseType.GetFile)]
[JsonDerivedType(typeof(IsolateParameters), ResponseType.Isolate)]
[JsonDerivedType(typeof(DisableIsolationParameters), ResponseType.DisableIsolation)]
[JsonDerivedType(typeof(DeleteRegistryKeyParameters), ResponseType.DeleteRegistryKey)]
[JsonDerivedType(typeof(MemoryDumpParameters), ResponseType.MemoryDump)]
[JsonDerivedType(typeof(TerminateProcessParameters), ResponseType.TerminateProcess)]
[JsonDerivedType(typeof(RunScriptParameters), ResponseType.RunScript)]
[JsonDerivedType(typeof(QuarantineFileParameters), ResponseType.QuarantineFile)]
[JsonDerivedType(typeof(RestoreFromQuarantineParameters), ResponseType.RestoreFromQuarantine)]
public abstract record ResponseParameters
{
    /// <summary>The API's type name, e.g. <c>GET_FILE</c>; on the wire it is the discriminator.</summary>
    [JsonIgnore]
    public string Type => ResponseType.NameOf(GetType());

    /// <summary>Reports every broken rule under <paramref name="at"/> (normally <c>parameters</c>).</summary>
    public abstract void Validate(Check at);

    /// <summary>The same parameters with the spec's defaults filled in where a field was not given.</summary>
    public virtual ResponseParameters WithDefaults() => this;

    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new List<ValidationError>();
        Validate(new Check(errors, "parameters"));
        return errors;
    }
}
