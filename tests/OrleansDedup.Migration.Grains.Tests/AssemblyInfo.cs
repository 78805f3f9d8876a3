// The grid tests are CPU- and disk-heavy on a small machine, and some of them race an ingest on purpose:
// run the test classes one after another so that one class's load does not decide another's race.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
