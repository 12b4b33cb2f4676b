using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Iris.Server.Api;

// Coactive's delete-assets shapes (POST /api/v0/delete/assets), snake_case through V1JsonContext, named as in
// ../shared/coactive-v1.openapi.json so the two documents' schemas line up.

/// <summary>Coactive's <c>AssetType</c>: what an identifier names. Iris holds images only; <c>video</c> is refused with 422.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AssetType>))]
public enum AssetType
{
    [JsonStringEnumMemberName("image")]
    Image,

    [JsonStringEnumMemberName("video")]
    Video,
}

/// <summary>Coactive's <c>DeleteJobAsset</c>: one asset to delete.</summary>
public sealed record DeleteJobAsset(
    AssetType AssetType,
    [property: Description("The image's coactive image id, or its path as it was added (file:/// paths in any spelling of the same file)")]
    string Identifier);

/// <summary>Coactive's <c>DeleteAssetsRequest</c>: up to 100 assets of one dataset.</summary>
public sealed record DeleteAssetsRequest(Guid DatasetId, IReadOnlyList<DeleteJobAsset> Assets);

/// <summary>Coactive's <c>DeleteAssetsResponseAssetsItems</c>: an asset asked for, as asked, and the deletion that took it.</summary>
public sealed record DeleteAssetsResponseAssetsItems(
    AssetType AssetType,
    [property: Description("The identifier as it was asked")]
    string Identifier,
    [property: Description("The id of this request's deletion, the same for every asset of the request; Iris deletes at once, so the deletion is done when the answer is sent")]
    Guid DeleteJobId);

/// <summary>Coactive's <c>DeleteAssetsResponse</c>: every asset asked for, in the order asked.</summary>
public sealed record DeleteAssetsResponse(Guid OrgId, Guid DatasetId, IReadOnlyList<DeleteAssetsResponseAssetsItems> Assets);
