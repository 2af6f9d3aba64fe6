using System.IO.MemoryMappedFiles;

namespace EdgeServer.Geo;

/// <summary>
/// A read-only memory mapping of a whole file, exposed as a pointer and a length. Pages load on demand and are
/// shared with the page cache, so a large database costs little private memory and opens in constant time.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;

    private MappedFile(MemoryMappedFile map, MemoryMappedViewAccessor view, int length)
    {
        _map = map;
        _view = view;
        Length = length;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        // The view starts at a page boundary; PointerOffset is where our offset 0 lies within it.
        _pointer = p + view.PointerOffset;
    }

    public int Length { get; }

    public byte* Pointer => _pointer;

    public static MappedFile Open(string path)
    {
        // FileShare.Delete: an update that renames a new file over this one must not fail while we hold it.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        long length = stream.Length;
        // Offsets are ints throughout the reader; real databases are well below 2 GiB.
        if (length == 0) throw new MaxMindDatabaseException($"{path}: the file is empty");
        if (length > int.MaxValue) throw new MaxMindDatabaseException($"{path}: the file is larger than 2 GiB ({length} bytes)");
        var map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        try
        {
            var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            return new MappedFile(map, view, (int)length);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_pointer == null) return;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
