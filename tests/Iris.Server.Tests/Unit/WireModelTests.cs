using System.Text.Json;
using Iris.Models;
using Iris.Server.Api;

namespace Iris.Server.Tests.Unit;

public class WireModelTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 11, 28, 15, 11, 45, TimeSpan.Zero).AddTicks(4567771);

    private static ImageRecord Image(string? metadata = """{"k":"v"}""", string? technical = null) => new(
        Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "s3://b/k.jpg", "user-id", metadata, ImageStatus.Pending, null, null,
        technical, null, "client", At, "client", At, null, null, null);

    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        IrisJsonContext.ApplyTo(options);
        return options;
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    [Fact]
    public void AssetResponse_has_the_contract_fields_in_order()
    {
        using var doc = JsonDocument.Parse(Serialize(AssetResponse.From(Image())));
        Assert.Equal(
            ["createdUserId", "createdDt", "updatedUserId", "updatedDt", "coactiveImageId", "path", "id", "metadata", "datasetId", "status", "technicalMetadata"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Stored_json_is_copied_verbatim_and_times_are_utc_microseconds_with_z()
    {
        var technical = """{"format":"jpeg","exif":{"Artist":"Renée"}}""";
        using var doc = JsonDocument.Parse(Serialize(AssetResponse.From(Image(technical: technical))));
        Assert.Equal("2026-11-28T15:11:45.456777Z", doc.RootElement.GetProperty("createdDt").GetString());
        Assert.Equal("v", doc.RootElement.GetProperty("metadata").GetProperty("k").GetString());
        Assert.Equal("Renée", doc.RootElement.GetProperty("technicalMetadata").GetProperty("exif").GetProperty("Artist").GetString());
    }

    [Fact]
    public void Null_metadata_stays_null()
    {
        using var doc = JsonDocument.Parse(Serialize(AssetResponse.From(Image(metadata: null))));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("metadata").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("technicalMetadata").ValueKind);
    }

    [Fact]
    public void V1_shapes_are_snake_case_under_the_api_options_and_v0_shapes_stay_camel_case()
    {
        // The API's options are camelCase web defaults; V1JsonContext's types must still go out snake_case.
        using var meta = JsonDocument.Parse(Serialize(PagedMeta.For(10, 10, 25)));
        Assert.Equal(["current_page", "last_page", "limit", "offset", "total"],
            meta.RootElement.GetProperty("page").EnumerateObject().Select(p => p.Name));

        var credential = new Credential("c1", Guid.NewGuid(), [1], At, null, "ci");
        var json = Serialize(ClientResponse.From(credential, new Caller(credential.OrgId, "c1"), "s3cret"));
        using var client = JsonDocument.Parse(json);
        Assert.Equal(["client_id", "client_secret", "name", "roles", "org_id", "created_dt", "revoked_dt", "is_active", "is_caller"],
            client.RootElement.EnumerateObject().Select(p => p.Name));
        Iris.Testing.CoactiveDocument.AssertSchema("ClientResponse", json);
        using var list = JsonDocument.Parse(Serialize<IReadOnlyList<ClientResponse>>([ClientResponse.From(credential, new Caller(credential.OrgId, "c2"))]));
        Assert.Equal("********", list.RootElement[0].GetProperty("client_secret").GetString());

        using var asset = JsonDocument.Parse(Serialize(AssetResponse.From(Image())));
        Assert.True(asset.RootElement.TryGetProperty("coactiveImageId", out _));
    }
}
