// ImageApi.GetMetadataForImages: the metadata of up to 1000 images, in the order asked.
// Usage: IRIS_HOST=http://127.0.0.1:8080 IRIS_CLIENT_ID=... IRIS_CLIENT_SECRET=... dotnet run -- <coactive_image_id>...
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
string[] coactiveImageIds = args.Length > 0 ? args : ["a6894d72-612d-4c20-b4d0-8f3f21c2bb10"]; // The coactive image ids

try
{
    // Get metadata for images
    var apiResponse = await apiInstance.GetMetadataForImagesAsync(coactiveImageIds);
    Console.WriteLine("The response of ImageApi->GetMetadataForImages:");
    Console.WriteLine(JsonSerializer.Serialize(apiResponse, IrisJsonContext.Indented.MetadataForImagesResponse));
    return 0;
}
catch (Exception e) when (e is ApiException or HttpRequestException)
{
    Console.WriteLine($"Exception when calling ImageApi->GetMetadataForImages: {e.Message}");
    return 1;
}
