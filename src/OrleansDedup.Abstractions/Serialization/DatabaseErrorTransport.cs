using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansDedup.Abstractions.Serialization;

/// <summary>
/// Lets database errors (Npgsql's) travel between silos and clients like .NET's own: a grain whose state cannot be
/// loaded then fails its caller with the real cause, not with "no codec for NpgsqlException". A side without the type
/// still gets its message and inner exceptions.
/// </summary>
public static class DatabaseErrorTransport
{
    public static IServiceCollection AddDatabaseErrorTransport(this IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
}
