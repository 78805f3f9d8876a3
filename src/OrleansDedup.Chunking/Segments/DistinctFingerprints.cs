namespace OrleansDedup.Chunking.Segments;

/// <summary>The distinct fingerprints of a batch, each with where it first occurs: one index message carries each
/// fingerprint once. Cleared and refilled for every batch; its collections keep their capacity.</summary>
public sealed class DistinctFingerprints(int capacity)
{
    private readonly Dictionary<Fingerprint, int> _positions = new(capacity);
    private readonly List<Fingerprint> _fingerprints = new(capacity);
    private readonly List<int> _firstOccurrence = new(capacity);

    public int Count => _fingerprints.Count;

    public void Clear()
    {
        _positions.Clear();
        _fingerprints.Clear();
        _firstOccurrence.Clear();
    }

    /// <summary>Returns the fingerprint's position in the batch's list, adding it at <paramref name="occurrence"/> if new.</summary>
    public int Add(in Fingerprint fingerprint, int occurrence)
    {
        if (_positions.TryGetValue(fingerprint, out var at)) return at;
        at = _fingerprints.Count;
        _positions.Add(fingerprint, at);
        _fingerprints.Add(fingerprint);
        _firstOccurrence.Add(occurrence);
        return at;
    }

    public Fingerprint this[int position] => _fingerprints[position];

    public int FirstOccurrence(int position) => _firstOccurrence[position];

    /// <summary>The fingerprints in order of position: the array an index message carries.</summary>
    public Fingerprint[] FingerprintArray() => _fingerprints.ToArray();
}
