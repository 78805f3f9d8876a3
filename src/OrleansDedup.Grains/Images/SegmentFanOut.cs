using Microsoft.Extensions.Logging;
using OrleansDedup.Abstractions.Segments;
using OrleansDedup.Grains.Hosting;

namespace OrleansDedup.Grains.Images;

/// <summary>
/// Runs an ingest's segments on segment grains, a bounded number at once. A segment whose silo died runs again elsewhere
/// under a fresh key and recipe; what the dead attempt stored is left to the collector's sweep. Segments are stopped by
/// asking them, never by abandoning their calls, so a stopped run ends only once every segment gave its references back.
/// </summary>
internal sealed class SegmentFanOut(IGrainFactory grains, ILogger logger, string image, Guid ingestId, SegmentWork[] plan)
{
    private const int MaxAttempts = 3;

    private readonly ISegmentGrain?[] _segments = new ISegmentGrain?[plan.Length];
    private readonly List<string> _attempts = [];
    private int _stopping;

    /// <summary>Per segment, the recipe of its latest attempt.</summary>
    public string[] Recipes { get; } = plan.Select(p => p.RecipePath).ToArray();

    /// <summary>The recipes of attempts that lost their silo, which the committed image does not use.</summary>
    public IEnumerable<string> Superseded
    {
        get
        {
            lock (_attempts) return _attempts.Except(Recipes).ToArray();
        }
    }

    public void StopAll()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
            foreach (var segment in _segments) segment?.Cancel().Ignore();
    }

    public async Task<SegmentResult[]> Run(Guid[] epochs, int parallel)
    {
        var results = new SegmentResult[plan.Length];
        using var gate = new SemaphoreSlim(parallel);
        await Task.WhenAll(plan.Select(async work =>
        {
            await gate.WaitAsync();
            try
            {
                results[work.Index] = await ProcessWithRetry(work with { Epochs = epochs });
            }
            catch
            {
                StopAll();
                throw;
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }

    private async Task<SegmentResult> ProcessWithRetry(SegmentWork work)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (Volatile.Read(ref _stopping) == 1) throw new OperationCanceledException();
            var attemptWork = work with { RecipePath = StoreLayout.RecipeRelativePath(ingestId, work.Index, attempt) };
            var segment = grains.GetGrain<ISegmentGrain>($"{ingestId:N}/{work.Index}/{attempt}");
            _segments[work.Index] = segment;
            Recipes[work.Index] = attemptWork.RecipePath;
            lock (_attempts) _attempts.Add(attemptWork.RecipePath);
            try
            {
                logger.LogDebug("Segment {Segment} of {Image}, attempt {Attempt}: started", work.Index, image, attempt);
                var result = await segment.Process(attemptWork);
                logger.LogDebug("Segment {Segment} of {Image}, attempt {Attempt}: done on {Silo}", work.Index, image, attempt, result.Silo);
                return result;
            }
            catch (Exception e) when (attempt < MaxAttempts - 1 && IngestFailures.IsSiloLoss(e))
            {
                logger.LogWarning("Segment {Segment} of {Image} lost its silo ({Reason}); retrying on another", work.Index, image, e.Message);
            }
        }
    }
}
