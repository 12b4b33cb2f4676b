using System.Numerics.Tensors;

namespace Iris.Bench.VectorIndex;

/// <summary>
/// Synthetic embeddings, row after row in one float32 array, each row drawn from its own seed (the same data every
/// run, whatever the thread count). Two kinds: uniform directions (Gaussian components, normalised: the hardest case
/// for a graph index, nothing like real features) and clustered (closer to ResNet features: a mixture of Gaussian
/// clusters in a 32-dimension latent space, mapped to the full width by a fixed random matrix, with isotropic noise,
/// rectified like ReLU-pooled features and normalised).
/// </summary>
public sealed class VectorData
{
    public const int Latent = 32;

    private VectorData(string kind, int dimensions, float[] rows, int count)
    {
        Kind = kind;
        Dimensions = dimensions;
        Rows = rows;
        Count = count;
    }

    public string Kind { get; }

    public int Dimensions { get; }

    public float[] Rows { get; }

    public int Count { get; }

    public ReadOnlySpan<float> Row(int i) => Rows.AsSpan(i * Dimensions, Dimensions);

    public float[] RowArray(int i) => Row(i).ToArray();

    public static Guid IdOf(int row) => new(row, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Rows <paramref name="firstRow"/> onwards of the kind's endless sequence (the same clusters for any first row).</summary>
    public static VectorData Generate(string kind, int count, int dimensions, int clusters, int seed, int firstRow = 0)
    {
        if ((long)count * dimensions > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(count), "Too many rows for one array.");
        if (kind is not ("gaussian" or "clustered"))
            throw new ArgumentException($"Unknown data kind '{kind}' (gaussian or clustered).", nameof(kind));
        var rows = new float[count * dimensions];
        var rng = new Random(seed);
        var basis = kind == "clustered" ? Enumerable.Range(0, Latent).Select(_ => Unit(rng, dimensions)).ToArray() : [];
        var centers = kind == "clustered" ? Enumerable.Range(0, clusters).Select(_ => Unit(rng, Latent)).ToArray() : [];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var random = new Random(HashCode.Combine(seed, firstRow + i));
            var row = rows.AsSpan(i * dimensions, dimensions);
            if (kind == "gaussian")
            {
                Gaussian(random, row);
            }
            else
            {
                var center = centers[random.Next(centers.Length)];
                Span<float> noise = stackalloc float[Latent];
                Gaussian(random, noise);
                TensorPrimitives.Divide(noise, TensorPrimitives.Norm(noise), noise);
                Gaussian(random, row);
                TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
                TensorPrimitives.Multiply(row, 0.25f, row);
                for (var j = 0; j < Latent; j++)
                    TensorPrimitives.MultiplyAdd(basis[j], 4 * center[j] + 1.5f * noise[j], row, row);
                TensorPrimitives.Max(row, 0f, row);
            }
            TensorPrimitives.Divide(row, TensorPrimitives.Norm(row), row);
        });
        return new VectorData(kind, dimensions, rows, count);
    }

    private static float[] Unit(Random random, int dimensions)
    {
        var v = new float[dimensions];
        Gaussian(random, v);
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    private static void Gaussian(Random random, Span<float> into)
    {
        for (var i = 0; i < into.Length; i += 2)
        {
            var r = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble()));
            var a = 2 * Math.PI * random.NextDouble();
            into[i] = (float)(r * Math.Cos(a));
            if (i + 1 < into.Length)
                into[i + 1] = (float)(r * Math.Sin(a));
        }
    }
}
