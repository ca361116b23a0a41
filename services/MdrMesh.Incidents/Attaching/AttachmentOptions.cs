namespace MdrMesh.Incidents.Attaching;

/// <summary><c>Attachments:MaxBytes</c>: the largest file accepted (default 25 MiB; larger is 413).</summary>
public sealed class AttachmentOptions
{
    public long MaxBytes { get; set; } = 25 * 1024 * 1024;
}
