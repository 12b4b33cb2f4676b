using System.Security.Cryptography;
using System.Text;

namespace Iris.Auth;

/// <summary>
/// Secrets are stored only as <c>salt || SHA-256(salt || secret)</c>. Generated secrets carry 256
/// bits of entropy, so a fast hash is enough and keeps every request cheap to verify.
/// </summary>
public static class SecretHasher
{
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static byte[] Hash(string secret)
    {
        var stored = new byte[SaltBytes + HashBytes];
        RandomNumberGenerator.Fill(stored.AsSpan(0, SaltBytes));
        Compute(stored.AsSpan(0, SaltBytes), secret, stored.AsSpan(SaltBytes));
        return stored;
    }

    /// <summary>Compares in constant time; a malformed stored hash never matches.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> stored)
    {
        Span<byte> actual = stackalloc byte[HashBytes];
        if (stored.Length != SaltBytes + HashBytes)
        {
            // Same work as a real check, so a missing credential takes as long as a wrong secret.
            Compute(stackalloc byte[SaltBytes], secret, actual);
            return false;
        }
        Compute(stored[..SaltBytes], secret, actual);
        return CryptographicOperations.FixedTimeEquals(actual, stored[SaltBytes..]);
    }

    private static void Compute(ReadOnlySpan<byte> salt, string secret, Span<byte> destination)
    {
        var length = SaltBytes + Encoding.UTF8.GetByteCount(secret);
        var input = length <= 1024 ? stackalloc byte[length] : new byte[length];
        salt.CopyTo(input);
        Encoding.UTF8.GetBytes(secret, input[SaltBytes..]);
        SHA256.HashData(input, destination);
        CryptographicOperations.ZeroMemory(input);
    }

    /// <summary>A new random client id (32 hex characters).</summary>
    public static string NewClientId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// A new random secret: 32 bytes, base64url, never starting with '-' or '_' (a leading '-' made
    /// <c>--client-secret VALUE</c> read it as an option).
    /// </summary>
    public static string NewSecret()
    {
        while (true)
        {
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            if (char.IsAsciiLetterOrDigit(secret[0])) return secret;
        }
    }
}
