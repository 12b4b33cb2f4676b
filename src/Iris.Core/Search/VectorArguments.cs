using System.Numerics.Tensors;

namespace Iris.Search;

/// <summary>The checks every index makes on what it is given (the handlers answer 422 before this is reached).</summary>
internal static class VectorArguments
{
    public static void Check(ReadOnlySpan<float> vector, int dimensions, string name)
    {
        if (vector.Length != dimensions)
            throw new ArgumentException($"The vector has {vector.Length} dimensions; the index holds {dimensions}.", name);
        // A NaN or an infinity makes every score NaN and the order meaningless.
        if (!float.IsFinite(TensorPrimitives.SumOfMagnitudes(vector)))
            throw new ArgumentException("The vector has a component that is not a finite number.", name);
    }

    public static void CheckCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
    }

    public static void CheckDimensions(int dimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
    }
}
