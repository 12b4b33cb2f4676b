// ImageApi.GetStatusesForImages: the ingestion status of paths of a dataset.
// Usage: IRIS_HOST=http://127.0.0.1:8080 IRIS_CLIENT_ID=... IRIS_CLIENT_SECRET=... dotnet run -- <dataset_id> <path>...
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
var datasetId = args.Length > 0 ? args[0] : "556f4d52-a557-461e-a204-69236fd9c1e2"; // The dataset id
string[] paths = args.Length > 1 ? args[1..] : ["s3://your-s3-bucket/path/to/image.jpg"]; // The paths of the images

try
{
    // Get statuses for images
    var apiResponse = await apiInstance.GetStatusesForImagesAsync(datasetId, paths);
    Console.WriteLine("The response of ImageApi->GetStatusesForImages:");
    Console.WriteLine(JsonSerializer.Serialize(apiResponse, IrisJsonContext.Indented.StatusesForImagesResponse));
    return 0;
}
catch (Exception e) when (e is ApiException or HttpRequestException)
{
    Console.WriteLine($"Exception when calling ImageApi->GetStatusesForImages: {e.Message}");
    return 1;
}
