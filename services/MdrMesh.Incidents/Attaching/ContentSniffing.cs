namespace MdrMesh.Incidents.Attaching;

/// <summary>What a file is by its first bytes, not by its name or what the uploader said: recorded, never acted on.</summary>
public static class ContentSniffing
{
    private static readonly (byte[] Magic, string Type)[] Signatures =
    [
        ("%PDF-"u8.ToArray(), "application/pdf"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ([0xFF, 0xD8, 0xFF], "image/jpeg"),
        ("GIF8"u8.ToArray(), "image/gif"),
        ([0x50, 0x4B, 0x03, 0x04], "application/zip"),
        ([0x1F, 0x8B], "application/gzip"),
        ("MZ"u8.ToArray(), "application/x-msdownload"),
        ([0x7F, 0x45, 0x4C, 0x46], "application/x-elf"),
        ("MDMP"u8.ToArray(), "application/x-dmp"),
    ];

    public static string Sniff(ReadOnlySpan<byte> bytes)
    {
        foreach (var (magic, type) in Signatures)
            if (bytes.StartsWith(magic)) return type;
        var head = bytes[..Math.Min(bytes.Length, 4096)];
        return head.IndexOf((byte)0) < 0 && System.Text.Unicode.Utf8.IsValid(head) ? "text/plain" : "application/octet-stream";
    }
}
