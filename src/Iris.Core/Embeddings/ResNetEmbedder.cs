using System.Numerics.Tensors;
using Iris.Ingestion;
using Microsoft.ML.OnnxRuntime;

namespace Iris.Embeddings;

/// <summary>
/// Visual embeddings from ResNet-18 (trained on ImageNet, the model files of ML.NET's DnnImageFeaturizer): the decoded
/// picture resampled to 224×224, through the network to its 512 pooled features, L2-normalised. The model files are
/// loaded once; each thread gets its own input and output buffers, so calls may run concurrently (Dispose once they are done).
/// </summary>
/// <remarks>
/// The square is blurred a little (<see cref="DefaultBlurSigma"/>) before the network sees it: copies that were
/// downscaled, blurred or upscaled lose fine detail, and taking the same detail away from every picture brings their
/// features closer to the original's (the quality benchmark, bench/search.sh quality, measures it).
/// The preprocess model turns planar R, G, B values 0..255 into the network's input by reversing the channels to
/// B, G, R and subtracting a mean image (224×224 per channel, no scaling). That arithmetic is folded into the input
/// conversion here, with the mean read from the model at load time and checked against a run of the model itself.
/// </remarks>
public sealed class ResNetEmbedder : IImageEmbedder, IDisposable
{
    public const string NetworkFile = "ResNet18.onnx";
    public const string PreprocessFile = "ResNetPreprocess.onnx";

    /// <summary>The blur applied to the 224×224 square before the network, in pixels.</summary>
    public const double DefaultBlurSigma = 2.0;

    private const string NetworkInputName = "Input247";
    private const string NetworkOutputName = "Pooling395_Output_0";
    private const int FeatureCount = 512;
    private static readonly long[] InputShape = [1, 3, NetworkInput.Side, NetworkInput.Side];
    private static readonly long[] OutputShape = [1, FeatureCount, 1, 1];
    private static readonly string[] InputNames = [NetworkInputName];
    private static readonly string[] OutputNames = [NetworkOutputName];

    private readonly InferenceSession _network;
    private readonly ResNetFraming _framing;
    private readonly double _blurSigma;
    // What the preprocess model adds after reversing the channels: minus the mean image, planar B, G, R.
    private readonly float[] _offset;
    private readonly ThreadLocal<Buffers> _buffers;
    private int _disposed;

    /// <param name="modelsFolder">The folder holding ResNet18.onnx and ResNetPreprocess.onnx; by default
    /// <see cref="DefaultModelsFolder"/>, where the build copies them.</param>
    /// <param name="framing">How a picture that is not square is made square.</param>
    /// <exception cref="FileNotFoundException">A model file is missing.</exception>
    /// <exception cref="InvalidOperationException">A model file does not load, or is not the one this class was written for.</exception>
    public ResNetEmbedder(string? modelsFolder = null, ResNetFraming framing = ResNetFraming.WholeImage)
        : this(modelsFolder, framing, DefaultBlurSigma)
    {
    }

    /// <param name="blurSigma">The Gaussian blur, in pixels of the 224×224 square, applied before the network (0: none).</param>
    internal ResNetEmbedder(string? modelsFolder, ResNetFraming framing, double blurSigma)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blurSigma);
        _blurSigma = blurSigma;
        var folder = Path.GetFullPath(modelsFolder ?? DefaultModelsFolder);
        var networkPath = ModelPath(folder, NetworkFile);
        var preprocessPath = ModelPath(folder, PreprocessFile);
        _framing = framing;
        // The name changes with anything that changes the vectors.
        Model = "resnet18-imagenet-v1"
                + (framing == ResNetFraming.CentreCrop ? "-centre-crop" : "")
                + (blurSigma == DefaultBlurSigma ? "" : FormattableString.Invariant($"-blur{blurSigma:0.##}"));

        using (var preprocess = Load(preprocessPath))
        {
            _offset = ReadOffset(preprocess);
        }
        _network = Load(networkPath);
        try
        {
            CheckNetworkShape(_network, networkPath);
        }
        catch
        {
            _network.Dispose();
            throw;
        }
        _buffers = new ThreadLocal<Buffers>(() => new Buffers(), trackAllValues: true);
    }

    /// <summary><c>Models</c> next to the assemblies (<see cref="AppContext.BaseDirectory"/>).</summary>
    public static string DefaultModelsFolder => Path.Combine(AppContext.BaseDirectory, "Models");

    public string Model { get; }

    public int Dimensions => FeatureCount;

    public float[] Embed(DecodedImage image, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ct.ThrowIfCancellationRequested();

        var buffers = _buffers.Value!;
        WriteNetworkInput(image, buffers.Input);

        using var runOptions = new RunOptions();
        using (ct.Register(static state => ((RunOptions)state!).Terminate = true, runOptions))
        {
            try
            {
                _network.Run(runOptions, InputNames, [buffers.InputValue], OutputNames, [buffers.OutputValue]);
            }
            catch (OnnxRuntimeException) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
        }

        var embedding = buffers.Output.ToArray();
        var norm = TensorPrimitives.Norm<float>(embedding);
        if (!(norm > 0) || !float.IsFinite(norm))
            throw new InvalidOperationException($"ResNet-18 gave a feature vector of norm {norm}, which cannot be normalised.");
        TensorPrimitives.Divide(embedding, norm, embedding);
        return embedding;
    }

    /// <summary>The mean image the preprocess model subtracts, averaged per channel of the network's input (B, G, R).</summary>
    internal float[] MeanPerChannel() =>
        [.. Enumerable.Range(0, 3).Select(c => -TensorPrimitives.Sum<float>(_offset.AsSpan(c * NetworkInput.Plane, NetworkInput.Plane)) / NetworkInput.Plane)];

    /// <summary>The network's input for <paramref name="image"/>: the preprocess model's output, computed here.</summary>
    internal float[] NetworkInputOf(DecodedImage image)
    {
        var input = new float[3 * NetworkInput.Plane];
        WriteNetworkInput(image, input);
        return input;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var buffers in _buffers.Values) buffers.Dispose();
        _buffers.Dispose();
        _network.Dispose();
    }

    private void WriteNetworkInput(DecodedImage image, Span<float> input)
    {
        const int plane = NetworkInput.Plane;
        // The network wants B, G, R: red goes to the last plane.
        NetworkInput.WritePlanes(image, _framing, _blurSigma, red: input.Slice(2 * plane, plane), green: input.Slice(plane, plane), blue: input[..plane]);
        TensorPrimitives.Add(input, _offset, input);
    }

    private static InferenceSession Load(string path)
    {
        using var options = CreateSessionOptions();
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"ONNX Runtime cannot load the model file {path}: {e.Message}", e);
        }
    }

    private static string ModelPath(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The ResNet-18 model file {path} does not exist (the build copies {file} into Models/ next to the assemblies).", path);
        return path;
    }

    /// <summary>
    /// One thread per run, nodes in a fixed order, on the CPU: Iris runs one pipeline per core, and with a single thread
    /// the CPU kernels sum in the same order every time, so a picture always gives the same vector bit for bit.
    /// </summary>
    private static SessionOptions CreateSessionOptions() => new()
    {
        IntraOpNumThreads = 1,
        InterOpNumThreads = 1,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>
    /// Reads what the preprocess model adds (its output for black) and checks on a patterned input that the model is
    /// exactly "reverse the channels, then add that": otherwise folding it into the input conversion would be wrong.
    /// </summary>
    private static float[] ReadOffset(InferenceSession preprocess)
    {
        const int plane = NetworkInput.Plane;
        var offset = RunPreprocess(preprocess, new float[3 * plane]);
        var pattern = new float[3 * plane];
        for (var i = 0; i < pattern.Length; i++) pattern[i] = (i * 37 + i / plane * 101) % 256;
        var output = RunPreprocess(preprocess, pattern);
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i++)
            {
                var expected = pattern[(2 - c) * plane + i] + offset[c * plane + i];
                if (Math.Abs(output[c * plane + i] - expected) > 1e-4f)
                    throw new InvalidOperationException($"{PreprocessFile} does not reverse the channels and subtract a mean image as Iris expects "
                                                        + $"(channel {c}, pixel {i}: {output[c * plane + i]} instead of {expected}).");
            }
        }
        return offset;
    }

    private static float[] RunPreprocess(InferenceSession preprocess, float[] input)
    {
        var inputName = preprocess.InputMetadata.Keys.Single();
        var outputName = preprocess.OutputMetadata.Keys.Single();
        using var value = OrtValue.CreateTensorValueFromMemory(input, InputShape);
        using var runOptions = new RunOptions();
        using var results = preprocess.Run(runOptions, [inputName], [value], [outputName]);
        var output = results[0].GetTensorDataAsSpan<float>();
        if (output.Length != input.Length)
            throw new InvalidOperationException($"{PreprocessFile} gave {output.Length} values for an input of {input.Length}.");
        return output.ToArray();
    }

    private static void CheckNetworkShape(InferenceSession network, string path)
    {
        if (!network.InputMetadata.TryGetValue(NetworkInputName, out var input) || !input.Dimensions.SequenceEqual([1, 3, NetworkInput.Side, NetworkInput.Side])
            || !network.OutputMetadata.TryGetValue(NetworkOutputName, out var output) || !output.Dimensions.SequenceEqual([1, FeatureCount, 1, 1]))
            throw new InvalidOperationException($"{path} is not the ResNet-18 of ML.NET's featurizer (input {NetworkInputName} [1,3,224,224], output {NetworkOutputName} [1,512,1,1]).");
    }

    /// <summary>One thread's input and output, pinned once and wrapped as ONNX Runtime values for every run on that thread.</summary>
    private sealed class Buffers : IDisposable
    {
        public Buffers()
        {
            InputValue = OrtValue.CreateTensorValueFromMemory(Input, InputShape);
            OutputValue = OrtValue.CreateTensorValueFromMemory(Output, OutputShape);
        }

        public float[] Input { get; } = new float[3 * NetworkInput.Plane];
        public float[] Output { get; } = new float[FeatureCount];
        public OrtValue InputValue { get; }
        public OrtValue OutputValue { get; }

        public void Dispose()
        {
            InputValue.Dispose();
            OutputValue.Dispose();
        }
    }
}
