namespace Iris.Embeddings;

/// <summary>
/// What a dataset's <c>encoder_name</c> means in Iris. Coactive's visual encoder names all ask for visual embeddings,
/// and Iris has one visual encoder (ResNet-18), so each of them gets the same embeddings; <see cref="None"/> (Iris's own
/// value) asks for none, and ingestion skips the embedding stage.
/// </summary>
public static class Encoders
{
    /// <summary>Coactive's visual encoder names (its <c>VisualEncoderNameEnum</c>).</summary>
    public static readonly IReadOnlyList<string> Coactive =
        ["multimodal", "multimodal-tx-large2", "multimodal-tx-large3", "multimodal-tx-large4", "nova2-multimodal", "resnet-50", "resnet-50-reduced"];

    /// <summary>No visual embeddings: the dataset is not searchable by image, and ingestion is as fast as it can be.</summary>
    public const string None = "none";

    /// <summary>Every name a dataset may be created with.</summary>
    public static readonly IReadOnlyList<string> All = [.. Coactive, None];

    /// <summary>True when images of a dataset with this encoder get visual embeddings.</summary>
    public static bool Embeds(string encoderName) => encoderName != None;
}
