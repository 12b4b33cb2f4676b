using System.Buffers.Binary;
using System.Numerics.Tensors;

namespace Iris.Embeddings;

/// <summary>
/// How a vector is stored in the catalog: one IEEE half-precision float per dimension, little-endian. Half keeps three
/// significant digits, far finer than the differences between cosine similarities that decide a ranking, at half the
/// size of single precision.
/// </summary>
public static class EmbeddingVectors
{
    public static byte[] ToBytes(ReadOnlySpan<float> vector)
    {
        var bytes = new byte[vector.Length * 2];
        for (var i = 0; i < vector.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)vector[i]);
        return bytes;
    }

    /// <summary>The stored vector, normalised again (rounding to half precision moves its norm slightly off 1).</summary>
    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 2 != 0) throw new FormatException($"A stored vector has an even number of bytes, not {bytes.Length}.");
        var vector = new float[bytes.Length / 2];
        for (var i = 0; i < vector.Length; i++) vector[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(i * 2)..]);
        Normalize(vector);
        return vector;
    }

    /// <summary>Scales the vector to an L2 norm of 1 (a zero vector stays zero).</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
    }
}

/// <summary>A visual embedding and the model that made it.</summary>
public sealed record Embedding(string Model, float[] Vector);
