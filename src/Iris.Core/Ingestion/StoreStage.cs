using Iris.Models;

namespace Iris.Ingestion;

/// <summary>
/// Stores what ingestion produced. For now that is only the catalog row, which the worker writes from
/// the outcome; previews will be stored here later.
/// </summary>
public sealed class StoreStage(TimeProvider time) : IIngestionStage
{
    public string EventType => EventTypes.Stored;

    public ValueTask RunAsync(IngestionContext context, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        context.AddEvent(EventType, time);
        return ValueTask.CompletedTask;
    }
}
