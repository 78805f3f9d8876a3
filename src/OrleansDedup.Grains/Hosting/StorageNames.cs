namespace OrleansDedup.Grains.Hosting;

public static class StorageNames
{
    /// <summary>The grain storage provider holding the image catalog and image records.</summary>
    public const string Catalog = "catalog";

    /// <summary>The state names of the catalog grain and the image grains: Orleans' ADO.NET storage keys their rows by
    /// them (GrainTypeString), which is how <see cref="Offline.CatalogRows"/> finds them without a silo.</summary>
    public const string CatalogGrainType = "catalog", ImageGrainType = "image";
}
