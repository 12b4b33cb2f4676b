using System.Numerics;

namespace Iris.Ingestion;

/// <summary>
/// A 64-bit DCT perceptual hash (the pHash recipe): the image in grey, area-averaged to 32×32, a 2-D DCT,
/// and one bit per coefficient of the 8×8 lowest frequencies (leaving out the first row and column, which
/// carry overall brightness and plain gradients) telling whether it is above their median. Resized,
/// recompressed or slightly retouched copies differ in a few bits; different pictures in about half.
/// </summary>
public static class PerceptualHash
{
    private const int Size = 32;
    private const int Bits = 8;

    // cos((2x + 1) u π / 2N) for the 9 lowest frequencies u used (0 is skipped by the bit selection).
    private static readonly double[,] Cosines = BuildCosines();

    public static long Compute(DecodedImage image)
    {
        var grey = Resample(Grey(image), image.Width, image.Height);

        // Separable DCT, rows then columns, only for the frequencies 1..8 that make the hash.
        var rows = new double[Size, Bits + 1];
        for (var y = 0; y < Size; y++)
        {
            for (var u = 1; u <= Bits; u++)
            {
                double sum = 0;
                for (var x = 0; x < Size; x++) sum += grey[y * Size + x] * Cosines[u, x];
                rows[y, u] = sum;
            }
        }
        Span<double> coefficients = stackalloc double[Bits * Bits];
        for (var v = 1; v <= Bits; v++)
        {
            for (var u = 1; u <= Bits; u++)
            {
                double sum = 0;
                for (var y = 0; y < Size; y++) sum += rows[y, u] * Cosines[v, y];
                coefficients[(v - 1) * Bits + (u - 1)] = sum;
            }
        }

        Span<double> sorted = stackalloc double[Bits * Bits];
        coefficients.CopyTo(sorted);
        sorted.Sort();
        var median = (sorted[Bits * Bits / 2 - 1] + sorted[Bits * Bits / 2]) / 2;
        ulong hash = 0;
        for (var i = 0; i < Bits * Bits; i++)
        {
            if (coefficients[i] > median) hash |= 1UL << i;
        }
        return unchecked((long)hash);
    }

    /// <summary>Number of bits in which two hashes differ, 0 to 64.</summary>
    public static int Distance(long a, long b) => BitOperations.PopCount(unchecked((ulong)(a ^ b)));

    /// <summary>Luma (BT.601) of every pixel, transparent parts laid on white so they look as a viewer shows them.</summary>
    private static float[] Grey(DecodedImage image)
    {
        var pixels = image.Pixels;
        var bands = image.Bands;
        var grey = new float[image.Width * image.Height];
        for (int i = 0, p = 0; i < grey.Length; i++, p += bands)
        {
            float value = bands >= 3 ? 0.299f * pixels[p] + 0.587f * pixels[p + 1] + 0.114f * pixels[p + 2] : pixels[p];
            if (image.HasAlpha)
            {
                var alpha = pixels[p + bands - 1] / 255f;
                value = value * alpha + 255f * (1 - alpha);
            }
            grey[i] = value;
        }
        return grey;
    }

    /// <summary>Area average to 32×32 (each output pixel is the mean of the input area it covers).</summary>
    private static float[] Resample(float[] grey, int width, int height)
    {
        var horizontal = new float[Size * height];
        var xWeights = Weights(width);
        for (var y = 0; y < height; y++)
        {
            foreach (var (target, source, weight) in xWeights) horizontal[y * Size + target] += grey[y * width + source] * weight;
        }
        var result = new float[Size * Size];
        foreach (var (target, source, weight) in Weights(height))
        {
            for (var x = 0; x < Size; x++) result[target * Size + x] += horizontal[source * Size + x] * weight;
        }
        return result;
    }

    /// <summary>For each output cell, the input cells overlapping it and their share of its area (shares sum to 1).</summary>
    private static List<(int Target, int Source, float Weight)> Weights(int length)
    {
        var weights = new List<(int, int, float)>();
        var scale = (double)length / Size;
        for (var target = 0; target < Size; target++)
        {
            double start = target * scale, end = (target + 1) * scale;
            for (var source = (int)Math.Floor(start); source < Math.Min(length, (int)Math.Ceiling(end)); source++)
            {
                var overlap = Math.Min(end, source + 1) - Math.Max(start, source);
                if (overlap > 0) weights.Add((target, source, (float)(overlap / scale)));
            }
        }
        return weights;
    }

    private static double[,] BuildCosines()
    {
        var table = new double[Bits + 1, Size];
        for (var u = 0; u <= Bits; u++)
        {
            for (var x = 0; x < Size; x++) table[u, x] = Math.Cos((2 * x + 1) * u * Math.PI / (2 * Size));
        }
        return table;
    }
}
