using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>A compiled statement: a node of a rule's match tree.</summary>
public abstract class WafStatement
{
    public abstract bool Matches(ref WafContext context);

    /// <summary>
    /// Decidable from the peer address alone (IP sets and geo without forwarded-IP headers): such rules can
    /// run at accept, before TLS, in a listener's connection ACL.
    /// </summary>
    public abstract bool IsConnectionLevel { get; }

    /// <summary>A relative cost for `edge waf explain`: address lookups are cheap, regexes and detectors over bodies are not.</summary>
    public abstract int Cost { get; }

    /// <summary>One line for `edge waf explain`.</summary>
    public abstract string Describe();

    /// <summary>The text inspections in this statement's tree (the ACL shares transformed text between them).</summary>
    public virtual IEnumerable<TextInspection> Inspections => [];

    /// <summary>
    /// What <see cref="Matches"/> answers for any request that lacks <paramref name="part"/>, whatever else it holds;
    /// null when that depends on more than the part's absence.
    /// </summary>
    internal virtual bool? AnswerWhenAbsent(OptionalPart part) => null;

    /// <summary>Evaluating it changes the evaluation (labels added, requests counted): it must run whenever it is reached.</summary>
    internal virtual bool HasSideEffects => false;
}
