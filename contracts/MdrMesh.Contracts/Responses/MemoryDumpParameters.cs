using System.Text.Json.Serialization;
using MdrMesh.Contracts.Validation;

namespace MdrMesh.Contracts.Responses;

/// <summary>A memory dump of the whole asset (<c>Full</c>) or of one process (<c>Process</c>), sent to the SOC zipped.</summary>
public sealed record MemoryDumpParameters(
    [property: JsonPropertyName("dump_type")] string? DumpType,
    [property: JsonPropertyName("max_file_size_mb")] int? MaxFileSizeMb = null,
    [property: JsonPropertyName("process")] DumpedProcess? Process = null,
    [property: JsonPropertyName("process_count_limit")] int? ProcessCountLimit = null) : ResponseParameters
{
    public const string Full = "Full";
    public const string ProcessDump = "Process";
    public const int DefaultMaxFileSizeMb = 100;
    public static readonly IReadOnlyList<string> DumpTypes = [Full, ProcessDump];

    public override void Validate(Check at)
    {
        at.Field("dump_type").OneOf(DumpType, DumpTypes);
        at.Field("max_file_size_mb").InRange(MaxFileSizeMb, 1, int.MaxValue, required: false);
        at.Field("process_count_limit").InRange(ProcessCountLimit, 1, int.MaxValue, required: false);
        var process = at.Field("process");
        if (DumpType == ProcessDump)
        {
            if (process.Required(Process)) Process!.Validate(process);
        }
        else if (DumpType == Full && Process is not null)
        {
            process.Fail("is only allowed with dump_type Process");
        }
    }

    public override ResponseParameters WithDefaults() =>
        this with { MaxFileSizeMb = MaxFileSizeMb ?? DefaultMaxFileSizeMb };
}

/// <summary>The process to dump: its image (path and hashes) and its unique process id.</summary>
public sealed record DumpedProcess(
    [property: JsonPropertyName("image")] ProcessImage? Image,
    [property: JsonPropertyName("unique_id")] string? UniqueId)
{
    public void Validate(Check at)
    {
        var image = at.Field("image");
        if (image.Required(Image))
        {
            image.Field("path").AbsolutePath(Image!.Path);
            image.Field("sha256").Sha256(Image.Sha256);
            image.Field("md5").Md5(Image.Md5);
        }
        at.Field("unique_id").NonEmpty(UniqueId, 256);
    }
}

public sealed record ProcessImage(
    [property: JsonPropertyName("path")] string? Path,
    [property: JsonPropertyName("sha256")] string? Sha256 = null,
    [property: JsonPropertyName("md5")] string? Md5 = null);
