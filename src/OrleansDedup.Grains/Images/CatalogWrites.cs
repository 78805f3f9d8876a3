using OrleansDedup.Sql;

namespace OrleansDedup.Grains.Images;

/// <summary>
/// Writes to the catalog database with a bounded retry over the failures that pass (a server restarting or briefly
/// out of reach): about 7.5 s of back-off, then the last error stands and the caller reports it.
/// </summary>
internal static class CatalogWrites
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    public static async Task Run(Func<Task> write)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await write();
                return;
            }
            catch (Exception e) when (attempt < Backoff.Length && DatabaseErrors.IsUnreachable(e))
            {
                await Task.Delay(Backoff[attempt]);
            }
        }
    }
}
