using OrleansDedup.Cli;
using OrleansDedup.Cli.Commands;
using OrleansDedup.Cli.Hosting;
using Spectre.Console;
using Spectre.Console.Cli;

if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("orleans-dedup");
    config.AddCommand<IngestCommand>("ingest").WithDescription("Deduplicate image files into the store.");
    config.AddCommand<RestoreCommand>("restore").WithDescription("Write an image back, byte-identical.");
    config.AddCommand<ListCommand>("list").WithDescription("List the images in the store.");
    config.AddCommand<StatsCommand>("stats").WithDescription("Sizes, chunk kinds and dedup rates, per image and overall.");
    config.AddCommand<VerifyCommand>("verify").WithDescription("Re-read every chunk; check recipes and reference counts.");
    config.AddCommand<DeleteCommand>("delete").WithDescription("Delete images (gc reclaims their space).");
    config.AddCommand<GcCommand>("gc").WithDescription("Reclaim space no image references.");
    config.AddCommand<CompareCommand>("compare").WithDescription("Compare fixed, rabin and adaptive on the same images, with a chart.");
    config.AddCommand<BenchCommand>("bench").WithDescription("Measure ingest throughput, dedup rate and peak memory against a SHA-256 baseline.");
    config.AddCommand<SimulateCommand>("simulate").WithDescription("Simulate dedup-aware live migration in a CloudSim-style load-balancing scenario, per strategy.");
    config.SetExceptionHandler((e, _) =>
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return ExitCodes.Usage;
    });
});
using var signals = new StopSignals();
return await app.RunAsync(args, signals.Token);
