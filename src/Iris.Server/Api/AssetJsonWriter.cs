using System.Globalization;
using System.Text.Json;
using Iris.Catalog;
using Microsoft.AspNetCore.Http;

namespace Iris.Server.Api;

/// <summary>
/// Writes <see cref="AssetResponse"/> JSON straight from catalog rows (<see cref="ImageRow"/>): the UTF-8 text the
/// catalog holds goes into the answer as it is read, with no string, record or response object per image. The bytes
/// are those the serializer writes for <see cref="AssetResponse.From"/> of the same row (a test holds them equal):
/// the same property order and names, the same escaping, timestamps and nulls.
/// </summary>
public sealed class AssetJsonWriter : IImageRowWriter, IDisposable
{
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // as IrisJsonContext.ApplyTo
        SkipValidation = true,
    };

    private readonly PooledBufferWriter _buffer;
    private readonly Utf8JsonWriter _json;
    private readonly bool _list;
    private int _count;

    /// <param name="list">True for <see cref="MetadataForImagesResponse"/> (<c>{"data": [...]}</c>), false for one AssetResponse.</param>
    public AssetJsonWriter(bool list, int initialCapacity = 4096)
    {
        _list = list;
        _buffer = new PooledBufferWriter(initialCapacity);
        _json = new Utf8JsonWriter(_buffer, Options);
        if (list)
        {
            _json.WriteStartObject();
            _json.WriteStartArray("data"u8);
        }
    }

    /// <summary>Rows written so far.</summary>
    public int Count => _count;

    public void Write(in ImageRow row)
    {
        if (!_list && _count > 0) throw new InvalidOperationException("A single answer holds one image.");
        _count++;
        var json = _json;
        json.WriteStartObject();
        json.WriteString("createdUserId"u8, row.CreatedBy);
        WriteTimestamp(json, "createdDt"u8, row.CreatedAtMicros);
        json.WriteString("updatedUserId"u8, row.UpdatedBy);
        WriteTimestamp(json, "updatedDt"u8, row.UpdatedAtMicros);
        json.WriteString("coactiveImageId"u8, row.Id);
        json.WriteString("path"u8, row.Path);
        if (row.HasUserId) json.WriteString("id"u8, row.UserId);
        else json.WriteNull("id"u8);
        json.WritePropertyName("metadata"u8);
        if (row.HasMetadata) json.WriteRawValue(row.MetadataJson, skipInputValidation: true);
        else json.WriteNullValue();
        json.WriteString("datasetId"u8, row.DatasetId);
        json.WriteString("status"u8, row.Status);
        json.WritePropertyName("technicalMetadata"u8);
        if (row.HasTechnicalMetadata) json.WriteRawValue(row.TechnicalMetadataJson, skipInputValidation: true);
        else json.WriteNullValue();
        json.WriteEndObject();
    }

    // As UtcTimestampConverter: ISO 8601 UTC with microseconds and a Z.
    private static void WriteTimestamp(Utf8JsonWriter json, ReadOnlySpan<byte> name, long micros)
    {
        Span<byte> text = stackalloc byte[32];
        CatalogTime.FromMicros(micros).UtcDateTime.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        json.WriteString(name, text[..written]);
    }

    /// <summary>The JSON written, closed (for tests and callers that send it themselves).</summary>
    public ReadOnlySpan<byte> Finish()
    {
        if (_list)
        {
            _json.WriteEndArray();
            _json.WriteEndObject();
        }
        _json.Flush();
        return _buffer.WrittenSpan;
    }

    /// <summary>Answers 200 with the JSON written, as <c>application/json</c> with its length.</summary>
    public async Task SendAsync(HttpResponse response, CancellationToken ct)
    {
        Finish();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = _buffer.WrittenMemory.Length;
        await response.BodyWriter.WriteAsync(_buffer.WrittenMemory, ct);
    }

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }
}
