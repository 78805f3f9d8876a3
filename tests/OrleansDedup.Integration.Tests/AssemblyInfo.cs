// Each test class runs a cluster of real silo processes; on a 2-core machine two clusters at once would starve each
// other (and the failure detector), so classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
