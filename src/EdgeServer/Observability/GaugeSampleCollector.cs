namespace EdgeServer.Observability;

/// <summary>
/// Gathers what the registered gauge sources report during one scrape, then writes it grouped by
/// family (HELP and TYPE once per name, whichever source reported it) and sorted, so several sources
/// may share a family and the output is deterministic.
/// </summary>
internal sealed class GaugeSampleCollector : GaugeWriter
{
    private readonly List<Sample> _samples = [];

    public override void Write(string name, string help, string labelName, string labelValue, double value)
    {
        // An invalid name would make the whole scrape unparseable; a buggy source loses only its own sample.
        if (PrometheusTextWriter.IsValidMetricName(name) && PrometheusTextWriter.IsValidLabelName(labelName))
        {
            _samples.Add(new Sample(name, help, labelName, labelValue ?? string.Empty, value));
        }
    }

    public void WriteTo(PrometheusTextWriter writer)
    {
        _samples.Sort(static (a, b) =>
        {
            int byName = string.CompareOrdinal(a.Name, b.Name);
            if (byName != 0) return byName;
            int byLabel = string.CompareOrdinal(a.LabelName, b.LabelName);
            return byLabel != 0 ? byLabel : string.CompareOrdinal(a.LabelValue, b.LabelValue);
        });

        Sample? previous = null;
        foreach (Sample sample in _samples)
        {
            bool newFamily = previous is null || !string.Equals(previous.Value.Name, sample.Name, StringComparison.Ordinal);
            if (newFamily)
            {
                writer.WriteFamily(sample.Name, sample.Help, "gauge");
            }
            else if (string.Equals(previous!.Value.LabelName, sample.LabelName, StringComparison.Ordinal)
                && string.Equals(previous.Value.LabelValue, sample.LabelValue, StringComparison.Ordinal))
            {
                // The same series twice is invalid exposition; the first report wins.
                continue;
            }
            writer.BeginSample(sample.Name);
            writer.AddLabel(sample.LabelName, sample.LabelValue);
            writer.EndSample(sample.Value);
            previous = sample;
        }
    }

    private readonly record struct Sample(string Name, string Help, string LabelName, string LabelValue, double Value);
}
