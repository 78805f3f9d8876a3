using OrleansDedup.Abstractions.Images;
using OrleansDedup.Grains.Hosting;
using OrleansDedup.Sql;

namespace OrleansDedup.Grains.Images;

/// <summary>What made an ingest fail, as the kind a client maps to an exit code and one line a user can act on.</summary>
internal static class IngestFailures
{
    public static bool IsSiloLoss(Exception e) => SiloLossRetryFilter.IsSiloLoss(e) || e is TimeoutException;

    public static IngestErrorKind Classify(Exception e, out string message)
    {
        var inner = e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e;
        if (inner is IngestException ingest)
        {
            message = ingest.Message;
            return ingest.Kind;
        }
        // A grain call that timed out is a TimeoutException itself; a database's timeout comes wrapped in its driver's error.
        if (IsSiloLoss(inner))
        {
            message = $"a silo left the cluster during the ingest ({FirstLine(inner.Message)}); nothing was kept, ingest the image again";
            return IngestErrorKind.SiloLost;
        }
        if (DatabaseErrors.IsUnreachable(inner))
        {
            message = $"cannot reach the catalog database ({DatabaseErrors.Reason(inner)}); nothing was kept, ingest the image again once PostgreSQL is back";
            return IngestErrorKind.Interrupted;
        }
        message = $"the ingest failed inside the grid ({inner.GetType().Name}: {FirstLine(inner.Message)}); see the log for details";
        return IngestErrorKind.Internal;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
