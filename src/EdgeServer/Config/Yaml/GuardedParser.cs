using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EdgeServer.Config.Yaml;

/// <summary>
/// Wraps YamlDotNet's parser with the two limits its representation model lacks, so a hostile or broken file
/// ends in a config error instead of a stack overflow (deep nesting) or an endless walk (alias "billion laughs").
/// </summary>
internal sealed class GuardedParser(IParser inner) : IParser
{
    /// <summary>Our schema is 5 levels deep; 64 leaves room for anything a person writes.</summary>
    public const int MaxDepth = 64;

    /// <summary>Nodes counted with aliases expanded; real configs with hundreds of routes are a few thousand.</summary>
    public const long MaxExpandedNodes = 1_000_000;

    private readonly Stack<(string? Anchor, long StartCount)> _open = new();
    private readonly Dictionary<string, long> _anchorSizes = new(StringComparer.Ordinal);
    private long _nodes;

    public ParsingEvent? Current => inner.Current;

    /// <summary>End of the last event parsed: where to point when YamlDotNet fails without a position of its own.</summary>
    public Mark LastGoodMark { get; private set; } = Mark.Empty;

    public bool MoveNext()
    {
        if (!inner.MoveNext()) return false;
        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                var start = (NodeEvent)inner.Current;
                _nodes++;
                _open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, _nodes));
                if (_open.Count > MaxDepth)
                    throw new YamlException(start.Start, start.End, $"nesting is deeper than {MaxDepth} levels");
                break;
            case MappingEnd or SequenceEnd:
                var (anchor, startCount) = _open.Pop();
                if (anchor is not null) _anchorSizes[anchor] = _nodes - startCount + 1;
                break;
            case Scalar:
                _nodes++;
                break;
            case AnchorAlias alias:
                _nodes += _anchorSizes.GetValueOrDefault(alias.Value.Value, 1);
                break;
        }
        if (_nodes > MaxExpandedNodes)
            throw new YamlException(inner.Current!.Start, inner.Current.End, $"the document expands to more than {MaxExpandedNodes} nodes (check anchors and aliases)");
        LastGoodMark = inner.Current!.End;
        return true;
    }
}
