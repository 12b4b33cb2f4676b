using System.Text;
using System.Text.Json;
using Iris.Catalog;
using Iris.Models;
using Iris.Server.Api;

namespace Iris.Server.Tests.Unit;

/// <summary>The metadata answers written from catalog rows are, byte for byte, what the serializer writes for the same images.</summary>
public class AssetJsonWriterTests
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        IrisJsonContext.ApplyTo(options);
        return options;
    }

    private static ImageRecord Image(string path, string? userId, string? metadata, string status, string? technical, DateTimeOffset at) => new(
        Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), path, userId, metadata, status, null, null, technical, null,
        "client-é", CatalogTime.Truncate(at), "updater\"x", CatalogTime.Truncate(at.AddTicks(123_456_7)), null, null, null);

    public static TheoryData<int> Cases => [0, 1, 2, 3];

    private static readonly ImageRecord[] Images =
    [
        Image("s3://b/k.jpg", "user-id", """{"k":"v","n":1.5,"u":"é ✓"}""", ImageStatus.Completed, """{"format":"jpeg","width":3}""",
            new DateTimeOffset(2026, 11, 28, 15, 11, 45, TimeSpan.Zero).AddTicks(4567771)),
        Image("file:///srv/a b/\"quoted\" <tag> & é ✓ \\ back\tslash\u0001.png", null, null, ImageStatus.Pending, null,
            new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        Image("https://h/x?y=1&z=<2>", "", "{}", ImageStatus.Error, null, new DateTimeOffset(2030, 6, 30, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999)),
        Image("s3://b/😀/日本.jpg", "id\u2028line", """{"a":[1,2,{"b":null}]}""", ImageStatus.Completed, "{\"exif\":{\"Make\":\"Ca\\u00e9\"}}",
            DateTimeOffset.UnixEpoch),
    ];

    private static ImageRowFromRecord Row(ImageRecord r) => new(r);

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_image_is_written_as_the_serializer_writes_its_AssetResponse(int i)
    {
        using var writer = new AssetJsonWriter(list: false);
        Row(Images[i]).WriteTo(writer);

        var expected = JsonSerializer.Serialize(AssetResponse.From(Images[i]), Options);
        Assert.Equal(expected, Encoding.UTF8.GetString(writer.Finish()));
        Assert.Equal(1, writer.Count);
    }

    [Fact]
    public void A_list_is_written_as_the_serializer_writes_MetadataForImagesResponse()
    {
        using var writer = new AssetJsonWriter(list: true, initialCapacity: 16); // grows several times
        foreach (var image in Images) Row(image).WriteTo(writer);

        var expected = JsonSerializer.Serialize(new MetadataForImagesResponse(Images.Select(AssetResponse.From).ToList()), Options);
        Assert.Equal(expected, Encoding.UTF8.GetString(writer.Finish()));
        Assert.Equal(Images.Length, writer.Count);
    }

    [Fact]
    public void A_single_answer_refuses_a_second_image()
    {
        using var writer = new AssetJsonWriter(list: false);
        Row(Images[0]).WriteTo(writer);
        Assert.Throws<InvalidOperationException>(() => Row(Images[1]).WriteTo(writer));
    }

    /// <summary>A record's columns as UTF-8, the way a catalog reader hands them over.</summary>
    private sealed class ImageRowFromRecord(ImageRecord r)
    {
        private static byte[]? Utf8(string? s) => s is null ? null : Encoding.UTF8.GetBytes(s);

        public void WriteTo(IImageRowWriter writer)
        {
            var userId = Utf8(r.UserId);
            var metadata = Utf8(r.MetadataJson);
            var technical = Utf8(r.TechnicalMetadataJson);
            writer.Write(new ImageRow
            {
                Id = r.Id,
                DatasetId = r.DatasetId,
                Path = Utf8(r.Path),
                HasUserId = userId is not null,
                UserId = userId,
                HasMetadata = metadata is not null,
                MetadataJson = metadata,
                Status = Utf8(r.Status),
                HasTechnicalMetadata = technical is not null,
                TechnicalMetadataJson = technical,
                CreatedBy = Utf8(r.CreatedBy),
                CreatedAtMicros = CatalogTime.ToMicros(r.CreatedAt),
                UpdatedBy = Utf8(r.UpdatedBy),
                UpdatedAtMicros = CatalogTime.ToMicros(r.UpdatedAt),
            });
        }
    }
}
