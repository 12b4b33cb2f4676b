using Iris.Auth;

namespace Iris.Core.Tests.Auth;

public class AccessTokenTests
{
    [Theory]
    [InlineData("abc:def", "abc", "def")]
    [InlineData("  abc:def  ", "abc", "def")]
    [InlineData("abc:de:f", "abc", "de:f")] // the secret may hold colons; the id may not
    public void Parses_id_and_secret(string token, string id, string secret)
    {
        Assert.True(AccessToken.TryParse(token, out var parsed));
        Assert.Equal(id, parsed.ClientId);
        Assert.Equal(secret, parsed.ClientSecret);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nocolon")]
    [InlineData(":secret")]
    [InlineData("id:")]
    [InlineData("i d:secret")]
    [InlineData("id:sec ret")]
    public void Rejects_malformed_tokens(string token) => Assert.False(AccessToken.TryParse(token, out _));

    [Fact]
    public void Rejects_tokens_longer_than_the_limit() =>
        Assert.False(AccessToken.TryParse("id:" + new string('x', AccessToken.MaxLength), out _));

    [Fact]
    public void ToString_never_shows_the_secret() =>
        Assert.DoesNotContain("hunter2", new AccessToken("id", "hunter2").ToString());

    [Theory]
    [InlineData(null, AuthorizationHeaderKind.Missing)]
    [InlineData("", AuthorizationHeaderKind.Missing)]
    [InlineData("Basic dXNlcjpwYXNz", AuthorizationHeaderKind.Missing)]
    [InlineData("Bearer", AuthorizationHeaderKind.Malformed)]
    [InlineData("Bearer garbage", AuthorizationHeaderKind.Malformed)]
    [InlineData("Bearer id:secret", AuthorizationHeaderKind.Bearer)]
    [InlineData("bearer id:secret", AuthorizationHeaderKind.Bearer)]
    public void Classifies_authorization_headers(string? header, AuthorizationHeaderKind expected)
    {
        Assert.Equal(expected, AuthorizationHeader.Parse(header, out var token));
        if (expected == AuthorizationHeaderKind.Bearer) Assert.Equal("id", token.ClientId);
    }
}

public class SecretHasherTests
{
    [Fact]
    public void Verifies_the_right_secret_only()
    {
        var stored = SecretHasher.Hash("correct horse");
        Assert.True(SecretHasher.Verify("correct horse", stored));
        Assert.False(SecretHasher.Verify("correct horsE", stored));
        Assert.False(SecretHasher.Verify("", stored));
    }

    [Fact]
    public void Salts_every_hash_and_never_stores_the_secret()
    {
        var a = SecretHasher.Hash("same");
        var b = SecretHasher.Hash("same");
        Assert.NotEqual(a, b);
        Assert.Equal(48, a.Length); // 16 bytes of salt + a SHA-256, nothing of the secret itself
        Assert.True(SecretHasher.Verify("same", a) && SecretHasher.Verify("same", b));
    }

    [Fact]
    public void A_malformed_stored_hash_never_matches()
    {
        Assert.False(SecretHasher.Verify("x", []));
        Assert.False(SecretHasher.Verify("x", new byte[10]));
    }

    [Fact]
    public void New_credentials_are_random_and_well_formed()
    {
        var id = SecretHasher.NewClientId();
        var secret = SecretHasher.NewSecret();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", secret);
        Assert.NotEqual(secret, SecretHasher.NewSecret());
        Assert.True(AccessToken.TryParse($"{id}:{secret}", out _));
    }

    [Fact]
    public void Secrets_never_start_with_a_character_a_command_line_reads_as_an_option()
    {
        // 1 in 32 base64url strings starts with '-' or '_'; 2,000 draws would show it about 60 times.
        for (var i = 0; i < 2000; i++) Assert.Matches("^[A-Za-z0-9][A-Za-z0-9_-]{42}$", SecretHasher.NewSecret());
    }
}
