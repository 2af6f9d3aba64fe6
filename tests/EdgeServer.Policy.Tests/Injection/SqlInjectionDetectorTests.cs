using EdgeServer.Policy.Injection;

namespace EdgeServer.Policy.Tests.Injection;

public class SqlInjectionDetectorTests
{
    [Theory]
    [InlineData("' or '1'='1")]
    [InlineData("' or 1=1--")]
    [InlineData("\" or \"\"=\"")]
    [InlineData("1' or '1")]
    [InlineData("x' and 'x ")]
    [InlineData("') or ('1")]
    [InlineData("') or ('a'='a")]
    [InlineData("' or username like '%")]
    [InlineData("1 or 1=1")]
    [InlineData("-1 or 2>1")]
    [InlineData("or 1=1--")]
    public void Tautologies(string input) => Assert.True(SqlInjectionDetector.IsSqlInjection(input));

    [Theory]
    [InlineData("admin'--")]
    [InlineData("admin'#")]
    [InlineData("admin') /*")]
    [InlineData("admin\" --")]
    public void CommentTruncation(string input) => Assert.True(SqlInjectionDetector.IsSqlInjection(input));

    [Theory]
    [InlineData("1 union select 1,2,3")]
    [InlineData("' union all select username, password from users--")]
    [InlineData("-1 union select null,version()")]
    [InlineData("1 union(select(1),(2))")]
    [InlineData("European Union select 1,2 from dual")]
    public void UnionSelect(string input) => Assert.True(SqlInjectionDetector.IsSqlInjection(input));

    [Theory]
    [InlineData("1; drop table users")]
    [InlineData("'; delete from accounts--")]
    [InlineData("x'; insert into t values(1)--")]
    [InlineData("1; exec master..xp_cmdshell 'dir'")]
    [InlineData("'; shutdown--")]
    [InlineData("hello; declare @x int")]
    [InlineData("x' select * from users--")]
    [InlineData("x\"; select * from users--")]
    public void StackedQueries(string input) => Assert.True(SqlInjectionDetector.IsSqlInjection(input));

    [Theory]
    [InlineData("1 UN/**/ION SEL/**/ECT 1,2")]
    [InlineData("1/**/or/**/1=1")]
    [InlineData("1 /*!50000union*/ /*!50000select*/ 1,2")]
    [InlineData("1 uNiOn SeLeCt 1,2")]
    [InlineData("1\tunion\nselect\u00a01,2")]
    public void CommentAndCaseEvasion(string input) => Assert.True(SqlInjectionDetector.IsSqlInjection(input));

    [Theory]
    [InlineData("1 and sleep(5)")]
    [InlineData("1 and sleep/**/(5)")]
    [InlineData("' and benchmark(10000000,md5(1))--")]
    [InlineData("'; waitfor delay '0:0:5'--")]
    [InlineData("'||pg_sleep(10)--")]
    [InlineData("' and dbms_lock.sleep(5)--")]
    [InlineData("if(1=1,sleep(5),0)")]
    public void TimeBased(string input) => Assert.True(SqlInjectionDetector.IsSqlInjection(input));

    [Theory]
    [InlineData("' or 0x61=0x61--")]
    [InlineData("1 union select 0x61646d696e")]
    [InlineData("' or char(49)=char(49)--")]
    [InlineData("' or N'a'=N'a'--")]
    [InlineData("' and extractvalue(1,concat(0x7e,version()))--")]
    [InlineData("1 into outfile '/tmp/x'")]
    [InlineData("1 order by 5--")]
    public void EncodingsAndClauses(string input) => Assert.True(SqlInjectionDetector.IsSqlInjection(input));

    [Theory]
    [InlineData("O'Brien")]
    [InlineData("rock 'n' roll")]
    [InlineData("'or' is a conjunction")]
    [InlineData("Say 'yes' or 'no'")]
    [InlineData("European Union select committee")]
    [InlineData("drop table cloth")]
    [InlineData("sleep (8 hours) per night")]
    [InlineData("time.sleep(1)")]
    [InlineData("4 or 5 stars")]
    [InlineData("1 or 2")]
    [InlineData("rain or shine = ok")]
    [InlineData("He wrote \"select * from t where a='x'\" in chat")]
    [InlineData("He typed \"drop table users\" by mistake")]
    [InlineData("'or' conjunction")]
    [InlineData("rock' or 'roll is here")]
    [InlineData("drop me a line; I'll call back")]
    [InlineData("5'10\"")]
    [InlineData("-- no comment --")]
    [InlineData("")]
    public void Prose(string input) => Assert.False(SqlInjectionDetector.IsSqlInjection(input));

    [Fact]
    public void FingerprintNamesTheContextThatMatched()
    {
        Span<char> fingerprint = stackalloc char[SqlInjectionDetector.FingerprintCapacity];

        Assert.True(SqlInjectionDetector.IsSqlInjection("' or 'a'='a", fingerprint, out int length));
        Assert.Equal("s&sos", fingerprint[..length].ToString());

        Assert.True(SqlInjectionDetector.IsSqlInjection("1 union/**/select 1,2--", fingerprint, out length));
        Assert.Equal("1UcE1,1c", fingerprint[..length].ToString());

        Assert.False(SqlInjectionDetector.IsSqlInjection("O'Brien", fingerprint, out length));
        Assert.Equal("ns", fingerprint[..length].ToString());
    }

    [Fact]
    public void OnlyTheFirst8KiBAreRead()
    {
        string padding = new('a', InjectionLimits.MaxInputChars);
        Assert.True(SqlInjectionDetector.IsSqlInjection("1 or 1=1--" + padding));
        Assert.False(SqlInjectionDetector.IsSqlInjection(padding + "; drop table users"));
    }
}
