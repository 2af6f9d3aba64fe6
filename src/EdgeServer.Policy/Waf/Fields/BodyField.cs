using System.Buffers;
using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Fields;

/// <summary>
/// The first bytes of the body the proxy read before deciding (the ACL's body inspection limit). A body
/// longer than that follows the oversize handling: CONTINUE inspects the prefix, MATCH blocks what cannot
/// be seen whole, NO_MATCH lets it through.
/// </summary>
public sealed class BodyField(OversizeHandling oversize) : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection)
    {
        if (context.Request.BodyTruncated && oversize != OversizeHandling.Continue) return oversize == OversizeHandling.Match;
        return inspection.Test(ref context, context.Request.Body);
    }

    public override int Cost => 8;
    public override string Describe() => $"Body(oversize {oversize})";
    internal override OptionalPart Part => OptionalPart.Body;
    internal override bool AnswerWhenAbsent(TextInspection inspection) => inspection.EmptyResult; // the empty body is tested

    internal override bool CanScreenRawValues => true;
    internal override bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes) =>
        request.BodyTruncated && oversize != OversizeHandling.Continue ? oversize == OversizeHandling.Match : request.Body.ContainsAny(bytes);
}

public enum CertificatePart : byte { Subject, Issuer, SubjectAlternativeNames, Fingerprint }

/// <summary>A field of the verified client certificate (ours: mTLS identity in WAF rules); no certificate, no value, no match.</summary>
public sealed class ClientCertificateField(CertificatePart part) : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection)
    {
        if (context.Request.Certificate is not { } certificate) return false;
        var value = part switch
        {
            CertificatePart.Subject => certificate.Subject,
            CertificatePart.Issuer => certificate.Issuer,
            CertificatePart.SubjectAlternativeNames => certificate.SubjectAlternativeNames,
            _ => certificate.Sha256,
        };
        return inspection.Test(ref context, value.AsSpan());
    }

    public override int Cost => 1;
    public override string Describe() => $"ClientCertificate({part})";
}
