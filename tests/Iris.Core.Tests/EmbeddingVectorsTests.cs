using System.Numerics.Tensors;
using Iris.Embeddings;

namespace Iris.Core.Tests;

public sealed class EmbeddingVectorsTests
{
    private static float[] RandomUnit(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++) vector[i] = (float)(random.NextDouble() * 2 - 1);
        EmbeddingVectors.Normalize(vector);
        return vector;
    }

    [Fact]
    public void A_unit_vector_comes_back_within_half_precision_and_of_norm_one()
    {
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            var vector = RandomUnit(random, 512);
            var bytes = EmbeddingVectors.ToBytes(vector);
            Assert.Equal(1024, bytes.Length);
            var back = EmbeddingVectors.FromBytes(bytes);
            Assert.Equal(512, back.Length);
            for (var i = 0; i < vector.Length; i++) Assert.InRange(back[i] - vector[i], -1e-3f, 1e-3f);
            Assert.InRange(TensorPrimitives.Norm(back), 1 - 1e-5f, 1 + 1e-5f);
            Assert.InRange(TensorPrimitives.CosineSimilarity(vector, back), 1 - 1e-5f, 1 + 1e-5f);
        }
    }

    [Fact]
    public void A_vector_read_back_is_normalised_whatever_its_stored_length()
    {
        var back = EmbeddingVectors.FromBytes(EmbeddingVectors.ToBytes([3f, 4f, 0f]));
        Assert.Equal(3, back.Length);
        Assert.InRange(back[0], 0.6f - 1e-3f, 0.6f + 1e-3f);
        Assert.InRange(back[1], 0.8f - 1e-3f, 0.8f + 1e-3f);
        Assert.Equal(0f, back[2]);
        Assert.InRange(TensorPrimitives.Norm(back), 1 - 1e-6f, 1 + 1e-6f);

        // A zero vector has no direction and stays zero; an empty one stays empty.
        Assert.Equal([0f, 0f], EmbeddingVectors.FromBytes(EmbeddingVectors.ToBytes([0f, 0f])));
        Assert.Empty(EmbeddingVectors.FromBytes(EmbeddingVectors.ToBytes([])));
    }

    [Fact]
    public void The_stored_form_is_little_endian_half_precision()
    {
        // 1.0 is 0x3C00, -2.0 is 0xC000, 0.5 is 0x3800 in IEEE 754 binary16.
        Assert.Equal([0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38], EmbeddingVectors.ToBytes([1f, -2f, 0.5f]));
        var back = EmbeddingVectors.FromBytes([0x00, 0x3C, 0x00, 0x00]);
        Assert.Equal([1f, 0f], back);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1023)]
    public void An_odd_number_of_bytes_is_refused(int length)
    {
        var error = Assert.Throws<FormatException>(() => EmbeddingVectors.FromBytes(new byte[length]));
        Assert.Contains(length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_scales_to_unit_length_in_place()
    {
        float[] vector = [0f, -5f, 0f, 12f];
        EmbeddingVectors.Normalize(vector);
        Assert.Equal([0f, -5f / 13f, 0f, 12f / 13f], vector);
        float[] zero = [0f, 0f, 0f];
        EmbeddingVectors.Normalize(zero);
        Assert.Equal([0f, 0f, 0f], zero);
    }
}
