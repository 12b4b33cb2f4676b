// ImageApi.GetMetadataForImage: the metadata of one image, by its coactive_image_id.
// Usage: IRIS_HOST=http://127.0.0.1:8080 IRIS_CLIENT_ID=... IRIS_CLIENT_SECRET=... dotnet run -- <coactive_image_id>
using System.Text.Json;
using Iris.Client;

var clientId = Environment.GetEnvironmentVariable("IRIS_CLIENT_ID") ?? "CLIENT_ID";
var clientSecret = Environment.GetEnvironmentVariable("IRIS_CLIENT_SECRET") ?? "CLIENT_SECRET";

// Defining the host is optional and defaults to http://127.0.0.1:8080
var configuration = new Configuration
{
    Host = Environment.GetEnvironmentVariable("IRIS_HOST") ?? Configuration.DefaultHost,
    AccessToken = $"{clientId}:{clientSecret}",
};

using var apiClient = new ApiClient(configuration);
var apiInstance = new ImageApi(apiClient);
var coactiveImageId = args.Length > 0 ? args[0] : "a6894d72-612d-4c20-b4d0-8f3f21c2bb10"; // The coactive image id

try
{
    // Get metadata for image
    var apiResponse = await apiInstance.GetMetadataForImageAsync(coactiveImageId);
    Console.WriteLine("The response of ImageApi->GetMetadataForImage:");
    Console.WriteLine(JsonSerializer.Serialize(apiResponse, IrisJsonContext.Indented.AssetResponse));
    return 0;
}
catch (Exception e) when (e is ApiException or HttpRequestException)
{
    Console.WriteLine($"Exception when calling ImageApi->GetMetadataForImage: {e.Message}");
    return 1;
}
