using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MdrMesh.Contracts.Isolation;

/// <summary>
/// PBKDF2 with HMAC-SHA256 (RFC 8018), as the isolation password details need it: 10,000 iterations per ISOLATE. The
/// framework's PBKDF2 (OpenSSL's PKCS5_PBKDF2_HMAC) sets up and tears down an HMAC context in every iteration; measured
/// under load, that was half of the incidents service's CPU. Here the HMAC's inner and outer hash states are computed
/// once, and each iteration is the two SHA-256 block transforms it needs (libcrypto's <c>SHA256_Transform</c>, which
/// uses the CPU's SHA instructions where it has them): half the time. Where libcrypto cannot be loaded (not Linux),
/// the framework's PBKDF2 is used; both give the same bytes (tested).
/// </summary>
public static partial class Pbkdf2Sha256
{
    private const int BlockBytes = 64;
    private const int HashBytes = 32;
    // A SHA256_CTX is 28 words; the transform reads and writes only the first 8 (the state).
    private const int ContextWords = 28;
    private static readonly uint[] InitialState =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    // A block transform is ~100 ns and never blocks or calls back: no GC transition (20,000 calls per derivation).
    [LibraryImport("libcrypto.so.3", EntryPoint = "SHA256_Transform"), SuppressGCTransition]
    private static partial void Transform(ref uint context, ref byte block);

    /// <summary>Whether derivation runs on libcrypto's block transform (false: the framework's PBKDF2).</summary>
    public static bool UsesBlockTransform { get; } = BitConverter.IsLittleEndian && CanTransform();

    public static byte[] DeriveKey(byte[] password, byte[] salt, int iterations, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (!UsesBlockTransform) return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, length);

        // HMAC's key block: a key longer than a block is hashed first (RFC 2104).
        Span<byte> key = stackalloc byte[BlockBytes];
        key.Clear();
        if (password.Length > BlockBytes) SHA256.HashData(password, key);
        else password.CopyTo(key);
        Span<uint> inner = stackalloc uint[ContextWords], outer = stackalloc uint[ContextWords];
        Span<byte> pad = stackalloc byte[BlockBytes];
        for (var i = 0; i < BlockBytes; i++) pad[i] = (byte)(key[i] ^ 0x36);
        Absorb(inner, pad);
        for (var i = 0; i < BlockBytes; i++) pad[i] = (byte)(key[i] ^ 0x5c);
        Absorb(outer, pad);

        var derived = new byte[length];
        Span<byte> saltAndIndex = salt.Length + 4 <= 256 ? stackalloc byte[salt.Length + 4] : new byte[salt.Length + 4];
        salt.CopyTo(saltAndIndex);
        // One 64-byte block holds a 32-byte U plus SHA-256 padding for a 96-byte message (key block + U): 768 bits. Kept as
        // words: a digest's words, byte-swapped, are its bytes (little-endian machine), so U never leaves word form.
        Span<uint> block = stackalloc uint[BlockBytes / 4];
        var blockBytes = MemoryMarshal.AsBytes(block);
        blockBytes.Clear();
        blockBytes[HashBytes] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(blockBytes[(BlockBytes - 8)..], (BlockBytes + HashBytes) * 8);
        Span<uint> state = stackalloc uint[ContextWords], t = stackalloc uint[8];
        var u = block[..8];
        for (var index = 1; (index - 1) * HashBytes < length; index++)
        {
            BinaryPrimitives.WriteInt32BigEndian(saltAndIndex[salt.Length..], index);
            HMACSHA256.HashData(password, saltAndIndex, MemoryMarshal.AsBytes(u));
            u.CopyTo(t);
            for (var iteration = 1; iteration < iterations; iteration++)
            {
                inner[..8].CopyTo(state);
                Transform(ref state[0], ref blockBytes[0]);
                BinaryPrimitives.ReverseEndianness(state[..8], u);
                outer[..8].CopyTo(state);
                Transform(ref state[0], ref blockBytes[0]);
                BinaryPrimitives.ReverseEndianness(state[..8], u);
                for (var i = 0; i < 8; i++) t[i] ^= u[i];
            }
            var offset = (index - 1) * HashBytes;
            MemoryMarshal.AsBytes(t)[..Math.Min(HashBytes, length - offset)].CopyTo(derived.AsSpan(offset));
        }
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(pad);
        return derived;
    }

    // The state after hashing one full block from SHA-256's initial state.
    private static void Absorb(Span<uint> context, Span<byte> block)
    {
        context.Clear();
        InitialState.CopyTo(context);
        Transform(ref context[0], ref block[0]);
    }

    // The state's eight words as the 32-byte digest (big-endian).
    private static void Digest(ReadOnlySpan<uint> state, Span<byte> destination)
    {
        for (var i = 0; i < 8; i++) BinaryPrimitives.WriteUInt32BigEndian(destination[(4 * i)..], state[i]);
    }

    private static bool CanTransform()
    {
        try
        {
            // The SHA-256 of the empty message, block by block: proves the entry point and the state layout.
            Span<uint> context = stackalloc uint[ContextWords];
            Span<byte> block = stackalloc byte[BlockBytes];
            block.Clear();
            block[0] = 0x80;
            Absorb(context, block);
            Span<byte> digest = stackalloc byte[HashBytes];
            Digest(context, digest);
            return digest.SequenceEqual(SHA256.HashData(ReadOnlySpan<byte>.Empty));
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }
}
