using System.Security.Cryptography;
using System.Text;

namespace MdrMesh.Approvals.AutoAcceptPolicy;

/// <summary>
/// A stream id derived from a name (a tenant's switch, a tenant's rules): the same name always gives the same id,
/// different names practically never share one, whatever the store's keys are.
/// </summary>
public static class NameBasedId
{
    public static Guid Of(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        hash[7] = (byte)((hash[7] & 0x0F) | 0x50); // version 5-like (name-based), RFC 4122 variant
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }
}
