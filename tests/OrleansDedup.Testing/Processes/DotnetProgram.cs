using System.Diagnostics;

namespace OrleansDedup.Testing.Processes;

/// <summary>How a test starts one of the project's programs (orleans-dedup-silo.dll, orleans-dedup.dll): under
/// <c>dotnet</c>, from the temp directory, with nothing inherited that could configure it.</summary>
public static class DotnetProgram
{
    public static ProcessStartInfo StartInfo(string program, IEnumerable<string>? args = null)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        info.ArgumentList.Add(program);
        foreach (var a in args ?? []) info.ArgumentList.Add(a);
        Scrub(info);
        return info;
    }

    /// <summary>Removes inherited settings that could configure the process under test.</summary>
    public static void Scrub(ProcessStartInfo info)
    {
        foreach (var key in info.Environment.Keys.Where(k =>
                     k.StartsWith("OrleansDedup__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Orleans__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ORLEANS_DEDUP_", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
    }
}
