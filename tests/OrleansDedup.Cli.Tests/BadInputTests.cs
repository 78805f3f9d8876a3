namespace OrleansDedup.Cli.Tests;

/// <summary>Bad input gets one clear line, a meaningful exit code, and leaves the store exactly as it was.</summary>
[Collection(ImageCollection.Name)]
public sealed class BadInputTests(ImageFixtures images)
{
    private string NewStoreWithOneImage(out string state)
    {
        var store = Cli.TempStore();
        Assert.Equal(0, Cli.Run(store, "ingest", images.Raw).ExitCode);
        state = Snapshot(store);
        return store;
    }

    [Fact]
    public void Missing_path()
    {
        var store = NewStoreWithOneImage(out var before);
        var result = Cli.Run(store, "ingest", "/nonexistent/disk.qcow2");
        AssertRefused(result, 3, "does not exist", store, before);
    }

    [Fact]
    public void Directory_path()
    {
        var store = NewStoreWithOneImage(out var before);
        AssertRefused(Cli.Run(store, "ingest", images.Directory), 3, "is a directory", store, before);
    }

    [Fact]
    public void Zero_length_file()
    {
        var store = NewStoreWithOneImage(out var before);
        var empty = Path.Combine(images.Directory, "empty.img");
        File.WriteAllBytes(empty, []);
        AssertRefused(Cli.Run(store, "ingest", empty), 3, "empty", store, before);
    }

    [Fact]
    public void One_bad_path_among_good_ones_refuses_all()
    {
        var store = NewStoreWithOneImage(out var before);
        AssertRefused(Cli.Run(store, "ingest", images.SimilarRaw, "/nonexistent/x.vdi"), 3, "does not exist", store, before);
    }

    [Fact]
    public void Unreadable_file()
    {
        var store = NewStoreWithOneImage(out var before);
        var locked = Path.Combine(images.Directory, "locked.img");
        File.Copy(images.Raw, locked, overwrite: true);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        // Root reads anything, so the CLI runs as an unprivileged user on a store that user may write.
        var asUser = Environment.UserName == "root" ? "65534" : null;
        if (asUser is not null) MakeWritableByAll(store);
        var result = Cli.RunAs(asUser, store, "ingest", locked);
        AssertRefused(result, 3, "cannot be read", store, before);
    }

    [Fact]
    public void Unknown_strategy()
    {
        var store = NewStoreWithOneImage(out var before);
        AssertRefused(Cli.Run(store, "ingest", images.SimilarRaw, "--strategy", "zstd"), 2, "unknown strategy", store, before);
    }

    [Fact]
    public void A_segment_size_the_grid_refuses_is_a_usage_error()
    {
        var store = NewStoreWithOneImage(out var before);
        AssertRefused(Cli.Run(store, "ingest", images.SimilarRaw, "--segment-size", "5000"), 2, "segment size must be a positive multiple of 4096", store, before);
    }

    [Fact]
    public void Other_content_under_a_taken_name_is_a_conflict()
    {
        var store = NewStoreWithOneImage(out var before);
        AssertRefused(Cli.Run(store, "ingest", images.SimilarRaw, "--name", Path.GetFileName(images.Raw)), 5, "already exists with other content", store, before);
    }

    [Fact]
    public void The_same_image_again_is_already_stored_and_changes_nothing()
    {
        var store = NewStoreWithOneImage(out var before);

        var again = Cli.Run(store, "ingest", images.Raw);

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already stored with the same content", again.Error);
        Assert.Equal(before, Snapshot(store));
    }

    [Fact]
    public void Running_a_partly_done_ingest_again_stores_what_was_missing()
    {
        var store = NewStoreWithOneImage(out _);

        var rerun = Cli.Run(store, "ingest", images.Raw, images.SimilarRaw);

        Assert.Equal(0, rerun.ExitCode);
        var names = Cli.Run(store, "list", "--json").Json.EnumerateArray().Select(i => i.GetProperty("name").GetString()).ToArray();
        Assert.Equal(new[] { Path.GetFileName(images.Raw), Path.GetFileName(images.SimilarRaw) }.Order(), names.Order());
        Assert.Equal(0, Cli.Run(store, "verify").ExitCode);
    }

    [Fact]
    public void Client_certificate_options_naming_no_file_are_refused_before_any_connection()
    {
        var store = NewStoreWithOneImage(out var before);
        var result = Cli.Run(store, "stats", "--gateway", "127.0.0.1:1", "--tls-cert", "/nonexistent/cli.crt", "--tls-key", "/nonexistent/cli.key",
            "--tls-ca", "/nonexistent/ca.crt");
        AssertRefused(result, 2, "/nonexistent/cli.crt does not exist", store, before);
    }

    [Fact]
    public void Naming_a_cluster_both_ways_or_by_a_broken_connection_string_is_refused_before_any_connection()
    {
        var store = NewStoreWithOneImage(out var before);
        AssertRefused(Cli.Run(store, "stats", "--gateway", "127.0.0.1:1", "--cluster", "Host=127.0.0.1;Port=1"), 2, "not both", store, before);
        AssertRefused(Cli.Run(store, "stats", "--cluster", "Host=127.0.0.1;Nonsense=1"), 2, "--cluster is not a PostgreSQL connection string", store, before);
    }

    [Fact]
    public void A_membership_table_out_of_reach_is_one_line_naming_it_and_no_password()
    {
        var store = NewStoreWithOneImage(out var before);
        var result = Cli.Run(store, "stats", "--cluster", "Host=127.0.0.1;Port=1;Database=members;Username=u;Password=secret-pw;Timeout=2");
        AssertRefused(result, 8, "127.0.0.1:1/members", store, before);
        Assert.DoesNotContain("secret-pw", result.Error);
    }

    [Fact]
    public void Restore_of_an_unknown_image()
    {
        var store = NewStoreWithOneImage(out var before);
        AssertRefused(Cli.Run(store, "restore", "nope", "--out", Path.Combine(store, "x")), 4, "no image named", store, before);
    }

    [Fact]
    public void A_store_a_silo_holds_is_busy_for_reads_without_a_silo_and_for_the_embedded_grid()
    {
        var store = NewStoreWithOneImage(out var before);
        CliResult[] results;
        using (Grains.Hosting.StoreLock.Shared(store))
            results = [Cli.Run(store, "list"), Cli.Run(store, "stats"), Cli.Run(store, "ingest", images.SimilarRaw)];
        foreach (var result in results) AssertRefused(result, 7, "another orleans-dedup process is using the store", store, before);
    }

    private static void AssertRefused(CliResult result, int exitCode, string message, string store, string before)
    {
        Assert.Equal(exitCode, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(message, lines[0]);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal(before, Snapshot(store));
        Assert.Equal(0, Cli.Run(store, "verify").ExitCode);
    }

    /// <summary>What a user would call the store's content: its images and the bytes of its packs.</summary>
    private static string Snapshot(string store)
    {
        var list = Cli.Run(store, "list", "--json").Out;
        var packs = Directory.Exists(Path.Combine(store, "packs"))
            ? string.Join(",", new DirectoryInfo(Path.Combine(store, "packs")).EnumerateFiles("*.pack").OrderBy(f => f.Name).Select(f => $"{f.Name}:{f.Length}"))
            : "";
        return list + "|" + packs;
    }

    private static void MakeWritableByAll(string store)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(store, "*", SearchOption.AllDirectories).Append(store))
            File.SetUnixFileMode(path, (UnixFileMode)0x1FF);
    }
}
