using System.Buffers;
using System.Text;
using Npgsql;

namespace Iris.Catalog.Postgres;

/// <summary>
/// Hands image rows of an Npgsql reader to an <see cref="IImageRowWriter"/>: Npgsql gives text columns as strings, so
/// each row's text is encoded once into one scratch buffer, reused from row to row (no record per image).
/// </summary>
internal sealed class PgImageRows : IDisposable
{
    // Ordinals of Columns, in order.
    public const string Columns =
        "id, dataset_id, path, user_id, metadata, status, technical_metadata, created_by, created_at, updated_by, updated_at";

    public static readonly string QualifiedColumns = string.Join(", ", Columns.Split(", ").Select(c => "i." + c));

    private static readonly int[] TextColumns = [2, 3, 4, 5, 6, 7, 9];

    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(8192);

    public void Write(NpgsqlDataReader r, IImageRowWriter writer)
    {
        // Encode the row's text columns back to back: (start, length) per column, length -1 for NULL.
        Span<(int Start, int Length)> text = stackalloc (int, int)[TextColumns.Length];
        var used = 0;
        for (var i = 0; i < TextColumns.Length; i++)
        {
            var column = TextColumns[i];
            if (r.IsDBNull(column))
            {
                text[i] = (used, -1);
                continue;
            }
            var value = r.GetString(column);
            var max = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (_scratch.Length - used < max) Grow(used + max, used);
            var length = Encoding.UTF8.GetBytes(value, _scratch.AsSpan(used));
            text[i] = (used, length);
            used += length;
        }
        var bytes = _scratch;
        ReadOnlySpan<byte> Text(Span<(int Start, int Length)> t, int i) => t[i].Length < 0 ? default : bytes.AsSpan(t[i].Start, t[i].Length);
        writer.Write(new ImageRow
        {
            Id = r.GetGuid(0),
            DatasetId = r.GetGuid(1),
            Path = Text(text, 0),
            HasUserId = text[1].Length >= 0,
            UserId = Text(text, 1),
            HasMetadata = text[2].Length >= 0,
            MetadataJson = Text(text, 2),
            Status = Text(text, 3),
            HasTechnicalMetadata = text[4].Length >= 0,
            TechnicalMetadataJson = Text(text, 4),
            CreatedBy = Text(text, 5),
            CreatedAtMicros = CatalogTime.ToMicros(r.Time(8)),
            UpdatedBy = Text(text, 6),
            UpdatedAtMicros = CatalogTime.ToMicros(r.Time(10)),
        });
    }

    private void Grow(int needed, int used)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 2 * _scratch.Length));
        _scratch.AsSpan(0, used).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = larger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = [];
    }
}
