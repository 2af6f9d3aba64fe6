namespace EdgeServer.Connections;

/// <summary>
/// Caps concurrent client connections across all listeners. The cap is read from the current snapshot
/// at each accept, so a reload that lowers it applies to new connections without dropping open ones.
/// </summary>
internal sealed class ConnectionAdmission
{
    private int _open;

    public bool TryEnter(int max)
    {
        if (Interlocked.Increment(ref _open) <= max) return true;
        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);
}
