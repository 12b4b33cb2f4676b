using Npgsql;

namespace Iris.Catalog.Postgres;

/// <summary>
/// Listens on the jobs channel with one connection of its own and wakes this process's workers when any node queues
/// jobs. Started by the first worker that waits (an API-only node never holds the connection); reconnects with backoff
/// while the database is away. Only a hint: workers poll anyway.
/// </summary>
internal sealed class JobListener(NpgsqlDataSource source, JobSignal signal) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void EnsureStarted()
    {
        if (_loop is not null) return;
        lock (_stop)
        {
            _loop ??= Task.Run(() => ListenAsync(_stop.Token));
        }
    }

    private async Task ListenAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => signal.Notify();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresCatalog.JobsChannel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                failures = 0;
                signal.Notify(); // jobs may have been queued while nobody listened
                while (!ct.IsCancellationRequested) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (PostgresCatalog.IsUnavailable(e) || e is PostgresException)
            {
                failures++;
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6)))), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try { await _loop; } catch (OperationCanceledException) { }
        }
        _stop.Dispose();
    }
}
