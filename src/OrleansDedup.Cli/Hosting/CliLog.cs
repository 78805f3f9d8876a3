using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

namespace OrleansDedup.Cli.Hosting;

/// <summary>The CLI's log: the detail behind its one-line errors, in daily files under the data directory's logs.</summary>
public static class CliLog
{
    private const string FileName = "orleans-dedup-.log";

    public static void WriteTo(HostApplicationBuilder builder, string logsDirectory)
    {
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Orleans", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            // Orleans' placement resilience pipeline logs two Information lines per grain placement.
            .MinimumLevel.Override("Polly", Serilog.Events.LogEventLevel.Warning)
            .ToFiles(logsDirectory), dispose: true);
    }

    /// <summary>Logs a failure of a command that ran without a host (a read of the store's files).</summary>
    public static void Failure(string logsDirectory, Type command, Exception exception)
    {
        using var log = new LoggerConfiguration().ToFiles(logsDirectory);
        log.ForContext("SourceContext", command.FullName).Error(exception, "Command failed");
    }

    private static Serilog.Core.Logger ToFiles(this LoggerConfiguration configuration, string logsDirectory) => configuration
        .WriteTo.File(Path.Combine(logsDirectory, FileName), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 7)
        .CreateLogger();
}
