// End-to-end tests start real servers and measure memory; running them one class at a time keeps
// them independent of each other on a 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
