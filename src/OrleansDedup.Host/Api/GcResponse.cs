using OrleansDedup.Abstractions.Maintenance;

namespace OrleansDedup.Host.Api;

public sealed record GcResponse(
    int PacksDeleted, int PacksCompacted, long BytesBefore, long BytesAfter, long BytesReclaimed, long EntriesSwept, int AbandonedIngests,
    bool SweepSkipped)
{
    public static GcResponse From(GcResult r) =>
        new(r.PacksDeleted, r.PacksCompacted, r.BytesBefore, r.BytesAfter, r.BytesReclaimed, r.EntriesSwept, r.AbandonedIngests, r.SweepSkipped);
}
