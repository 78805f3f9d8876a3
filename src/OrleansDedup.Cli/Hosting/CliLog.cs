using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;

namespace OrleansDedup.Cli.Hosting;

/// <summary>The CLI's log: the detail behind its one-line errors, in daily files under the data directory's logs.</summary>
public static class CliLog
{
    public static void WriteTo(HostApplicationBuilder builder, string logsDirectory)
    {
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Orleans", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .WriteTo.File(Path.Combine(logsDirectory, "orleans-dedup-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 7)
            .CreateLogger(), dispose: true);
    }
}
