namespace OrleansDedup.Grains;

public static class StorageNames
{
    /// <summary>The grain storage provider holding the image catalog and image records.</summary>
    public const string Catalog = "catalog";
}
