using System.Numerics.Tensors;
using Iris.Embeddings;
using Iris.Ingestion;
using Microsoft.ML.OnnxRuntime;
using NetVips;

namespace Iris.Core.Tests;

/// <summary>One embedder for the class: loading the 63 MB network takes a moment.</summary>
public sealed class EmbedderFixture : IDisposable
{
    public ResNetEmbedder Embedder { get; } = new();

    public void Dispose() => Embedder.Dispose();
}

public sealed class EmbedderTests(EmbedderFixture fixture) : IClassFixture<EmbedderFixture>
{
    private readonly ResNetEmbedder _embedder = fixture.Embedder;

    /// <summary>A file decoded as ingestion decodes it: the pipeline's decoder, at most 256 px.</summary>
    private static DecodedImage Decode(string path)
    {
        var probe = new HeaderProber().ProbeAsync(path, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return RoutingImageDecoder.CreateDefault().Decode(path, probe, PreviewStage.MaxSide, CancellationToken.None);
    }

    private static DecodedImage Pixels(Image image)
    {
        using var bytes = image.Cast(Enums.BandFormat.Uchar);
        return new DecodedImage(bytes.Width, bytes.Height, bytes.Bands, bytes.WriteToMemory<byte>());
    }

    private static double Cosine(float[] a, float[] b) => TensorPrimitives.Dot<float>(a, b);

    private static void AssertUnitLength(float[] vector)
    {
        Assert.Equal(512, vector.Length);
        Assert.All(vector, v => Assert.True(float.IsFinite(v)));
        Assert.InRange(TensorPrimitives.Norm<float>(vector), 0.9999f, 1.0001f);
    }

    [Fact]
    public void NamesItsModelAndSize()
    {
        Assert.Equal("resnet18-imagenet-v1", _embedder.Model);
        Assert.Equal(512, _embedder.Dimensions);
    }

    [Fact]
    public void TheSameFileGivesTheSameVectorBitForBit()
    {
        var path = Corpus.File("imaging/branches.jpg");
        var first = _embedder.Embed(Decode(path));
        var again = _embedder.Embed(Decode(path));
        AssertUnitLength(first);
        Assert.Equal(first, again);

        // Two threads at once, each with its own buffers, many times over: still the same bits.
        var decoded = Decode(path);
        var vectors = new float[2][][];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
            vectors[t] = Enumerable.Range(0, 4).Select(_ => _embedder.Embed(decoded)).ToArray());
        Assert.All(vectors.SelectMany(v => v), v => Assert.Equal(first, v));
    }

    [Fact]
    public void EditedCopiesRankAboveOtherPhotos()
    {
        using var temp = new TempDir();
        var edits = new (string Name, Func<Image, Image> Apply)[]
        {
            ("crop", i => i.ExtractArea(i.Width / 5, i.Height / 5, i.Width * 3 / 5, i.Height * 3 / 5)),
            ("turn90", i => i.Rot90()),
            ("grey", i => i.Colourspace(Enums.Interpretation.Bw)),
            ("blur", i => i.Gaussblur(3)),
            ("down4", i => i.Resize(0.25)),
            ("colour", i =>
            {
                using var lch = i.Colourspace(Enums.Interpretation.Lch);
                using var shifted = lch.Linear([1.0, 1.3, 1.0], [0.0, 0.0, 45.0]);
                return shifted.Colourspace(Enums.Interpretation.Srgb);
            }),
        };
        var distractors = new[]
            {
                "imaging/orientation_0.jpg", "exif-fragments/has-lens-info.jpg", "x-image/yellow_rose.png", "x-image/blue-purple-pink.png",
                "go-image/video-001.png", "go-image/video-005.gray.png", "x-image/tux.png", "x-image/testpattern.png", "pngsuite/basn2c08.png",
            }
            .Select(f => _embedder.Embed(Decode(Corpus.File(f)))).ToList();

        foreach (var (query, other) in new[] { ("imaging/branches.jpg", "imaging/flowers.png"), ("imaging/flowers.png", "imaging/branches.jpg") })
        {
            var original = Corpus.File(query);
            var vector = _embedder.Embed(Decode(original));
            var unrelated = distractors.Append(_embedder.Embed(Decode(Corpus.File(other)))).Select(d => Cosine(vector, d)).ToList();
            foreach (var (name, apply) in edits)
            {
                using var loaded = Image.NewFromFile(original);
                using var edited = apply(loaded);
                using var bytes = edited.Cast(Enums.BandFormat.Uchar);
                var path = Path.Combine(temp.Path, $"{Path.GetFileNameWithoutExtension(query)}-{name}.png");
                bytes.Pngsave(path);
                var copy = Cosine(vector, _embedder.Embed(Decode(path)));
                Assert.True(copy > unrelated.Max(), $"{query} {name}: the copy scores {copy:0.000}, a distractor {unrelated.Max():0.000}");
            }
        }
    }

    [Fact]
    public void GreyIsTheSameAsGreyInAllThreeChannels()
    {
        var grey = Decode(Corpus.File("go-image/video-005.gray.png"));
        Assert.Equal(1, grey.Bands);
        var asRgb = new byte[grey.Pixels.Length * 3];
        for (var i = 0; i < grey.Pixels.Length; i++) asRgb[3 * i] = asRgb[3 * i + 1] = asRgb[3 * i + 2] = grey.Pixels[i];

        var vector = _embedder.Embed(grey);
        AssertUnitLength(vector);
        Assert.Equal(vector, _embedder.Embed(new DecodedImage(grey.Width, grey.Height, 3, asRgb)));
    }

    [Fact]
    public void AlphaIsLaidOnWhite()
    {
        using var picture = Image.Black(64, 48, bands: 3) + new double[] { 200, 40, 90 };
        using var opaque = picture.Bandjoin(255);
        using var clear = picture.Bandjoin(0);
        using var white = Image.Black(64, 48, bands: 3) + 255;

        Assert.Equal(_embedder.Embed(Pixels(picture)), _embedder.Embed(Pixels(opaque)));
        Assert.Equal(_embedder.Embed(Pixels(white)), _embedder.Embed(Pixels(clear)));

        using var greyClear = (Image.Black(64, 48) + 30).Bandjoin(0);
        using var greyWhite = Image.Black(64, 48) + 255;
        Assert.Equal(_embedder.Embed(Pixels(greyWhite)), _embedder.Embed(Pixels(greyClear)));

        var rgba = Decode(Corpus.File("x-image/yellow_rose.lossy-with-alpha.webp"));
        Assert.Equal(4, rgba.Bands);
        AssertUnitLength(_embedder.Embed(rgba));
    }

    [Fact]
    public void AOnePixelImageEmbeds()
    {
        AssertUnitLength(_embedder.Embed(new DecodedImage(1, 1, 3, [12, 150, 240])));
        AssertUnitLength(_embedder.Embed(new DecodedImage(1, 1, 1, [0])));
    }

    [Fact]
    public void TheFoldedInputIsWhatThePreprocessModelMakes()
    {
        var image = Decode(Corpus.File("imaging/flowers.png"));
        var rgb = new float[3 * NetworkInput.Plane];
        NetworkInput.WritePlanarRgb(image, ResNetFraming.WholeImage, ResNetEmbedder.DefaultBlurSigma, rgb);

        using var preprocess = new InferenceSession(Path.Combine(ResNetEmbedder.DefaultModelsFolder, ResNetEmbedder.PreprocessFile));
        using var input = OrtValue.CreateTensorValueFromMemory(rgb, [1, 3, NetworkInput.Side, NetworkInput.Side]);
        using var runOptions = new RunOptions();
        using var results = preprocess.Run(runOptions, ["OriginalInput"], [input], ["PreprocessedInput"]);
        var expected = results[0].GetTensorDataAsSpan<float>().ToArray();

        var folded = _embedder.NetworkInputOf(image);
        Assert.Equal(expected.Length, folded.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - folded[i]) <= 1e-4f, $"value {i}: {folded[i]} instead of {expected[i]}");
    }

    [Fact]
    public void AMissingModelFileIsNamed()
    {
        using var temp = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => new ResNetEmbedder(temp.Path));
        Assert.Contains(Path.Combine(temp.Path, ResNetEmbedder.NetworkFile), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelFileThatIsNotAModelIsNamed()
    {
        using var temp = new TempDir();
        temp.File(ResNetEmbedder.NetworkFile, "not a model"u8.ToArray());
        var preprocess = temp.File(ResNetEmbedder.PreprocessFile, "not a model either"u8.ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => new ResNetEmbedder(temp.Path));
        Assert.Contains(preprocess, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACancelledCallAndADisposedEmbedderRefuse()
    {
        var image = new DecodedImage(2, 2, 1, [1, 2, 3, 4]);
        Assert.Throws<OperationCanceledException>(() => _embedder.Embed(image, new CancellationToken(canceled: true)));

        var embedder = new ResNetEmbedder();
        AssertUnitLength(embedder.Embed(image));
        embedder.Dispose();
        embedder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => embedder.Embed(image));
    }
}
