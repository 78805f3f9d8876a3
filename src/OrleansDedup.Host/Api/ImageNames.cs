namespace OrleansDedup.Host.Api;

/// <summary>Image names are grain keys and appear in logs and file names for downloads: printable, at most 200 characters.</summary>
public static class ImageNames
{
    public const int MaxLength = 200;

    public static string? Problem(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "the image name is empty";
        if (name.Length > MaxLength) return $"the image name is longer than {MaxLength} characters";
        if (name.Any(char.IsControl)) return "the image name contains control characters";
        if (name.Contains('/') || name.Contains('\\')) return "the image name contains a path separator";
        return null;
    }
}
