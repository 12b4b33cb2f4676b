using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Iris.Server.Api;

/// <summary>JSON text written once and stored or answered as is (canonical metadata, a job's details).</summary>
public static class JsonText
{
    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What <paramref name="write"/> writes, as a string (readable UTF-8: never embedded in HTML).</summary>
    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
