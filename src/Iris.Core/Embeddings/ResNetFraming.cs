namespace Iris.Embeddings;

/// <summary>How <see cref="ResNetEmbedder"/> turns a picture of any shape into the network's 224×224 square.</summary>
public enum ResNetFraming
{
    /// <summary>The whole picture stretched to the square: nothing is cut off, the aspect ratio is not kept.</summary>
    WholeImage,

    /// <summary>The shorter side scaled to 224 and the middle of the longer side kept: the aspect ratio is kept, the edges are cut off.</summary>
    CentreCrop,
}
