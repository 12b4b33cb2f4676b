namespace Iris.Auth;

/// <summary>
/// The bearer token of the contract: <c>CLIENT_ID:CLIENT_SECRET</c> (the seed's
/// <c>access_token = f"{CLIENT_ID}:{CLIENT_SECRET}"</c>).
/// </summary>
public readonly record struct AccessToken(string ClientId, string ClientSecret)
{
    /// <summary>Longest token accepted; anything longer is malformed (and never hashed).</summary>
    public const int MaxLength = 512;

    public static bool TryParse(ReadOnlySpan<char> token, out AccessToken result)
    {
        result = default;
        token = token.Trim();
        if (token.IsEmpty || token.Length > MaxLength) return false;
        var colon = token.IndexOf(':');
        if (colon <= 0 || colon == token.Length - 1) return false;
        var id = token[..colon];
        var secret = token[(colon + 1)..];
        if (id.ContainsAny(' ', '\t') || secret.ContainsAny(' ', '\t')) return false;
        result = new AccessToken(id.ToString(), secret.ToString());
        return true;
    }

    public override string ToString() => $"{ClientId}:***";
}

/// <summary>How the Authorization header of a request reads.</summary>
public enum AuthorizationHeaderKind
{
    /// <summary>No header, or a scheme other than Bearer: 403 Not authenticated.</summary>
    Missing,

    /// <summary>Bearer with a token that is not <c>id:secret</c>: 401.</summary>
    Malformed,

    /// <summary>Bearer with a well-formed token; still to be verified.</summary>
    Bearer,
}

public static class AuthorizationHeader
{
    public static AuthorizationHeaderKind Parse(string? header, out AccessToken token)
    {
        token = default;
        if (string.IsNullOrWhiteSpace(header)) return AuthorizationHeaderKind.Missing;
        var value = header.AsSpan().Trim();
        var space = value.IndexOf(' ');
        var scheme = space < 0 ? value : value[..space];
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return AuthorizationHeaderKind.Missing;
        if (space < 0) return AuthorizationHeaderKind.Malformed;
        return AccessToken.TryParse(value[(space + 1)..], out token) ? AuthorizationHeaderKind.Bearer : AuthorizationHeaderKind.Malformed;
    }
}
