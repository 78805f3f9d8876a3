using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansDedup.Grains.Hosting;

public static class DedupOptionsRegistration
{
    /// <summary>Registers <see cref="DedupOptions"/> the way Orleans' providers register theirs: one options type that
    /// <paramref name="configure"/> binds (from a configuration section, command-line flags, ...), checked by
    /// <see cref="DedupOptionsValidator"/> whenever it is built and at start.</summary>
    public static OptionsBuilder<DedupOptions> AddDedupOptions(this IServiceCollection services, Action<OptionsBuilder<DedupOptions>> configure)
    {
        var options = services.AddOptions<DedupOptions>();
        configure(options);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DedupOptions>, DedupOptionsValidator>());
        return options.ValidateOnStart();
    }
}
