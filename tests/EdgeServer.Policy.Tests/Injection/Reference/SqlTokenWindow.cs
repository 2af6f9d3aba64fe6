// Frozen copy of src/EdgeServer.Policy/Injection/SqlTokenWindow.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>
/// The folded token stream with a small look-ahead window. Folding removes what an engine ignores or what only
/// changes spelling, so one rule covers its variants: comments (remembered as a flag on the next token), unary
/// prefixes (<c>-1</c>, <c>!x</c>, <c>NOT</c>), and string concatenation by juxtaposition (<c>'a' 'b'</c>).
/// The first tokens also make the fingerprint reported for logs.
/// </summary>
internal ref struct SqlTokenWindow
{
    /// <summary>Look-ahead capacity; rules never look further than this from the current position.</summary>
    public const int Capacity = 16;

    private const int FingerprintCapacity = 8;

    private SqlTokenizer _tokenizer;
    private readonly Span<SqlToken> _ring;
    private readonly Span<char> _fingerprint;
    private int _head, _count, _fingerprintLength;
    private SqlToken _previous;
    private bool _ended;

    public SqlTokenWindow(SqlTokenizer tokenizer, Span<SqlToken> ring, Span<char> fingerprint)
    {
        _tokenizer = tokenizer;
        _ring = ring;
        _fingerprint = fingerprint;
        _previous = new(SqlKind.End);
    }

    public readonly ReadOnlySpan<char> Fingerprint => _fingerprint[.._fingerprintLength];

    /// <summary>The token <paramref name="k"/> places ahead of the current one (End past the end or the window).</summary>
    public SqlToken this[int k]
    {
        get
        {
            if ((uint)k >= Capacity)
            {
                return new(SqlKind.End);
            }

            while (_count <= k)
            {
                _ring[(_head + _count) % Capacity] = Fold();
                _count++;
            }

            return _ring[(_head + k) % Capacity];
        }
    }

    public void Advance()
    {
        _ = this[0];
        _head = (_head + 1) % Capacity;
        _count--;
    }

    private SqlToken Fold()
    {
        if (_ended)
        {
            return new(SqlKind.End);
        }

        bool afterComment = false;
        while (true)
        {
            SqlToken t = _tokenizer.Next();
            if (t.Kind == SqlKind.Comment)
            {
                afterComment = true;
                continue;
            }

            bool previousIsOperand = _previous.IsOperand || _previous.Kind == SqlKind.RightParen;
            if (t.Word == SqlWord.Not || (t.Word == SqlWord.UnaryCandidate && !previousIsOperand))
            {
                continue;
            }

            if (t.Kind == SqlKind.String && _previous.Kind == SqlKind.String)
            {
                continue;
            }

            if (afterComment)
            {
                t = t with { Flags = t.Flags | SqlFlags.AfterComment };
                Record('c');
            }

            if (t.Kind == SqlKind.End)
            {
                _ended = true;
            }
            else
            {
                Record(t.FingerprintChar);
            }

            _previous = t;
            return t;
        }
    }

    private void Record(char c)
    {
        if (_fingerprintLength < FingerprintCapacity && _fingerprintLength < _fingerprint.Length)
        {
            _fingerprint[_fingerprintLength++] = c;
        }
    }
}
