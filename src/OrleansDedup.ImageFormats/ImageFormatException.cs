namespace OrleansDedup.ImageFormats;

/// <summary>The file claims a format but its structures are unsupported, inconsistent or out of bounds.</summary>
public sealed class ImageFormatException : Exception
{
    public ImageFormatException(string message)
        : base(message)
    {
    }

    public ImageFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
