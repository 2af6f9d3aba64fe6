using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// The state of one ACL evaluation: the request, the labels added so far, the scratch text buffers the
/// transformations work in (the thread's scratch, so an idle connection holds none), and the client's
/// country, resolved at most once.
/// </summary>
public ref struct WafContext
{
    private readonly ICountryResolver? _countries;
    private int _countryState; // 0: not looked up, 1: none, 2: known
    private ushort _country;

    internal WafContext(in WafRequest request, ICountryResolver? countries, DateTimeOffset now, WafScratch scratch, bool shortcuts)
    {
        Request = request;
        Shortcuts = shortcuts;
        _countries = countries;
        Now = now;
        Text = scratch.Text;
        LabelIds = scratch.Labels;
        Cache = new TransformedTextCache(scratch.CacheEntries, scratch.CacheChars);
    }

    public WafRequest Request { get; }
    /// <summary>Answers proved without running a statement may be used; false in the reference evaluation tests compare them with.</summary>
    internal bool Shortcuts { get; }
    public DateTimeOffset Now { get; }
    /// <summary>Where one field value is widened and transformed; its length caps what is inspected.</summary>
    internal char[] Text { get; }
    internal int[] LabelIds { get; }
    internal int LabelCount { get; private set; }

    /// <summary>The country of the peer, if the geo database knows it.</summary>
    public ushort? ClientCountry
    {
        get
        {
            if (_countryState == 0)
            {
                _countryState = _countries is not null && _countries.TryResolve(Request.ClientAddress, out _country) ? 2 : 1;
            }
            return _countryState == 2 ? _country : null;
        }
    }

    /// <summary>The peer's country if a rule already looked it up (for metrics by country; never triggers a lookup).</summary>
    public readonly ushort? KnownCountry => _countryState == 2 ? _country : null;

    /// <summary>
    /// A GeoMatch with a forwarded-IP config found the real client's country: that is the request's country
    /// for metrics from now on (the peer is only the proxy in front).
    /// </summary>
    internal void NoteForwardedCountry(ushort country)
    {
        _country = country;
        _countryState = 2;
    }

    internal readonly bool TryResolveCountry(scoped ReadOnlySpan<byte> address, out ushort country)
    {
        country = 0;
        return _countries is not null && _countries.TryResolve(address, out country);
    }

    internal readonly bool HasLabel(int id)
    {
        for (var i = 0; i < LabelCount; i++)
        {
            if (LabelIds[i] == id) return true;
        }
        return false;
    }

    internal void AddLabel(int id)
    {
        if (HasLabel(id) || LabelCount == LabelIds.Length) return;
        LabelIds[LabelCount++] = id;
    }

    internal readonly ReadOnlySpan<int> Labels => LabelIds.AsSpan(0, LabelCount);

    private TimeProvider? _rateClock;
    private long _rateTimestamp;

    /// <summary>
    /// The rate-limit clock's timestamp, read once per evaluation however many rate-based rules run: reading the clock
    /// costs more than a limiter decision. Every rule of one compiled ACL counts on the same clock.
    /// </summary>
    internal long RateTimestamp(TimeProvider clock)
    {
        if (!ReferenceEquals(_rateClock, clock))
        {
            _rateTimestamp = clock.GetTimestamp();
            _rateClock = clock;
        }
        return _rateTimestamp;
    }

    private uint _partsKnown;
    private uint _partsAbsent;

    /// <summary>Whether the request lacks the part <see cref="AbsenceGates"/> numbered <paramref name="index"/>, looked at once per evaluation.</summary>
    internal bool IsAbsent(int index, OptionalPart part)
    {
        var bit = 1u << index;
        if ((_partsKnown & bit) == 0)
        {
            if (part.IsAbsentFrom(Request)) _partsAbsent |= bit;
            _partsKnown |= bit;
        }
        return (_partsAbsent & bit) != 0;
    }

    private uint _screensKnown;
    private uint _screensClear;

    /// <summary>Whether no raw value of screen <paramref name="index"/>'s field holds any of its bytes: then none of its rules matches. Looked at once per evaluation.</summary>
    internal bool ScreenClears(int index, FieldScreens screens)
    {
        var bit = 1u << index;
        if ((_screensKnown & bit) == 0)
        {
            if (!screens.Fields[index].AnyRawValueHolds(Request, screens.Screens[index])) _screensClear |= bit;
            _screensKnown |= bit;
        }
        return (_screensClear & bit) != 0;
    }

    /// <summary>Transformed values shared by rules with the same chain (see <see cref="TransformedTextCache"/>).</summary>
    internal TransformedTextCache Cache;

    /// <summary>Where <paramref name="raw"/> lives: 1 the request head, 2 the inspected body; false for anything else.</summary>
    internal readonly bool TryLocate(ReadOnlySpan<byte> raw, out int source, out int offset)
    {
        if (Request.Head is { } head && head.Buffer.AsSpan().Overlaps(raw, out offset))
        {
            source = 1;
            return true;
        }
        if (Request.Body.Overlaps(raw, out offset))
        {
            source = 2;
            return true;
        }
        (source, offset) = (0, 0);
        return false;
    }
}
