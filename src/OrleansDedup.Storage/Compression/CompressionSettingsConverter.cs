using System.ComponentModel;
using System.Globalization;

namespace OrleansDedup.Storage.Compression;

/// <summary>Lets configuration bind a <see cref="CompressionSettings"/> from its text (<c>zstd:3</c>); a bad text is
/// the <see cref="FormatException"/> of <see cref="CompressionSettings.Parse"/>.</summary>
public sealed class CompressionSettingsConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? CompressionSettings.Parse(text) : base.ConvertFrom(context, culture, value);
}
