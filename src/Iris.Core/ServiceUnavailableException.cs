namespace Iris;

/// <summary>
/// Iris's own catalog or blob store is down or overloaded. Requests answer 503 and workers hand their images back
/// to be tried again later: an outage of Iris's storage never ends an image in <c>error</c>.
/// </summary>
public abstract class ServiceUnavailableException(string message, Exception? inner) : Exception(message, inner);
