namespace Iris.Server.Hosting;

/// <summary>
/// A node that starts while its database or bucket is away (a restart of both at once) waits for them instead of
/// exiting: it retries for a minute, saying so once, then gives up with the reason.
/// </summary>
internal static class StartupRetry
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    public static async Task RunAsync(string what, Func<Task> step, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step();
                return;
            }
            catch (ServiceUnavailableException e) when (clock.Elapsed < Patience)
            {
                if (attempt == 1) await Console.Error.WriteLineAsync($"Waiting for {what}: {e.Message}");
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), ct);
            }
        }
    }
}
