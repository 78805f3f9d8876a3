using OrleansDedup.Abstractions.Images;
using OrleansDedup.Chunking;
using OrleansDedup.Cli.Ingest;

namespace OrleansDedup.Cli.Tests.Ingest;

public sealed class ImageIngestTests
{
    private const string Left = "silo-1 at 127.0.0.1:11662", RanOn = "silo-3 at 127.0.0.1:11668";

    [Fact]
    public async Task A_grid_gone_silent_after_a_restart_names_the_silo_that_left_first_and_the_one_it_ran_on()
    {
        // A silo stopping gracefully reports its ingest lost, passes the new start on to another silo, then its gateway
        // (the client's only one) closes: the user must learn of the silo that left, not only of the one still running.
        var lost = IngestStatus.Failed(IngestErrorKind.SiloLost, "the silo left", silo: Left);
        var ingest = new ImageIngest(new SilentAfterStart(), "image", TimeSpan.FromSeconds(1), _ => { }, CancellationToken.None);

        var status = await ingest.Run(new IngestRequest("/images/image.raw", ChunkingStrategy.Adaptive), lost);

        Assert.Equal(IngestErrorKind.Interrupted, status.ErrorKind);
        Assert.Contains($"({RanOn}; started again there after {Left} left the cluster)", status.Error);
        Assert.Contains("Unable to connect to endpoint", status.Error);
    }

    [Fact]
    public async Task Without_a_restart_the_message_names_only_the_silo_it_ran_on()
    {
        var ingest = new ImageIngest(new SilentAfterStart(), "image", TimeSpan.FromSeconds(1), _ => { }, CancellationToken.None);

        var status = await ingest.Run(new IngestRequest("/images/image.raw", ChunkingStrategy.Adaptive), lost: null);

        Assert.Equal(IngestErrorKind.Interrupted, status.ErrorKind);
        Assert.Contains($"({RanOn}):", status.Error);
        Assert.DoesNotContain("started again", status.Error);
    }

    /// <summary>Answers the status check before a start and the start itself, then every call fails as one through a
    /// gateway that closed.</summary>
    private sealed class SilentAfterStart : IImageGrain
    {
        private bool _started;

        public Task<IngestStatus> StartIngest(IngestRequest request)
        {
            _started = true;
            return Task.FromResult(IngestStatus.Running(0, 100, RanOn));
        }

        public Task<IngestStatus> GetIngestStatus() => _started
            ? Task.FromException<IngestStatus>(new OrleansException("Unable to connect to endpoint S127.0.0.1:11663:0. See InnerException"))
            : Task.FromResult(IngestStatus.Idle);

        public Task CancelIngest() => Task.CompletedTask;

        public Task ReportProgress(long bytes) => throw new NotSupportedException();

        public Task<ImageInfo?> GetInfo() => throw new NotSupportedException();

        public Task<ImageManifest?> GetManifest() => throw new NotSupportedException();

        public Task<bool> Delete() => throw new NotSupportedException();
    }
}
