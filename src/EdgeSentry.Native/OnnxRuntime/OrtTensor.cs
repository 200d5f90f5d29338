using System.Runtime.InteropServices;

namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>
/// A tensor over a pinned managed buffer that ORT reads or writes in place. Create it once per
/// session and reuse it every frame: filling <see cref="Span"/> is how an input is set, and an
/// output bound through <see cref="OrtIoBinding"/> is written here by Run without a copy.
/// The buffer lives on the pinned object heap, so it never moves while ORT holds its address.
/// </summary>
public sealed unsafe class OrtTensor<T> : IDisposable
    where T : unmanaged
{
    private readonly T[] buffer;
    private readonly long[] shape;

    private OrtTensor(T[] buffer, long[] shape, OrtValueHandle value)
    {
        this.buffer = buffer;
        this.shape = shape;
        Value = value;
    }

    public Span<T> Span => buffer;

    public ReadOnlySpan<long> Shape => shape;

    public OrtElementType ElementType => ElementTypeOf();

    internal OrtValueHandle Value { get; }

    public static OrtTensor<T> Create(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d <= 0)
            {
                throw new ArgumentException($"tensor shape [{string.Join(",", shape.ToArray())}] has a non-positive dimension", nameof(shape));
            }

            count = checked(count * d);
        }

        OrtElementType type = ElementTypeOf();
        var data = GC.AllocateArray<T>(checked((int)count), pinned: true);
        long[] dims = shape.ToArray();

        ref readonly OrtApi api = ref OrtLibrary.Api;
        nint memoryInfo;
        OrtLibrary.ThrowIfFailed(api.CreateCpuMemoryInfo(ArenaAllocator, MemTypeDefault, &memoryInfo), "creating CPU memory info");
        var handle = new OrtValueHandle();
        try
        {
            nint value;
            fixed (T* p = data)
            fixed (long* d = dims)
            {
                OrtLibrary.ThrowIfFailed(
                    api.CreateTensorWithDataAsOrtValue(memoryInfo, p, (nuint)(count * sizeof(T)), d, (nuint)dims.Length, (int)type, &value),
                    $"creating a {type} tensor [{string.Join(",", dims)}]");
            }

            Marshal.InitHandle(handle, value);
        }
        finally
        {
            // The OrtValue keeps its own copy of the memory info.
            api.ReleaseMemoryInfo(memoryInfo);
        }

        return new OrtTensor<T>(data, dims, handle);
    }

    public void Dispose() => Value.Dispose();

    private const int ArenaAllocator = 1;
    private const int MemTypeDefault = 0;

    private static OrtElementType ElementTypeOf()
    {
        if (typeof(T) == typeof(float))
        {
            return OrtElementType.Float;
        }

        if (typeof(T) == typeof(long))
        {
            return OrtElementType.Int64;
        }

        if (typeof(T) == typeof(int))
        {
            return OrtElementType.Int32;
        }

        if (typeof(T) == typeof(byte))
        {
            return OrtElementType.UInt8;
        }

        if (typeof(T) == typeof(double))
        {
            return OrtElementType.Double;
        }

        throw new NotSupportedException($"no ONNX tensor element type for {typeof(T).Name}");
    }
}
