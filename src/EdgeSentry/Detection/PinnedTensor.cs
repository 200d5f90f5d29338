using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeSentry.Detection;

/// <summary>
/// A tensor over a managed buffer on the pinned object heap, wrapped once in an <see cref="OrtValue"/> that ORT
/// reads or writes in place. Created once per session and reused every frame: filling <see cref="Span"/> sets an
/// input, and an output bound through an <see cref="OrtIoBinding"/> is written here by the run without a copy.
/// </summary>
internal sealed unsafe class PinnedTensor<T> : IDisposable
    where T : unmanaged
{
    // Owned here so that the buffer outlives the OrtValue that points into it.
    private readonly T[] _buffer;
    private readonly long[] _shape;

    private PinnedTensor(T[] buffer, long[] shape, OrtValue value)
    {
        _buffer = buffer;
        _shape = shape;
        Value = value;
    }

    public Span<T> Span => _buffer;

    public ReadOnlySpan<long> Shape => _shape;

    /// <summary>What an IoBinding binds.</summary>
    public OrtValue Value { get; }

    public static PinnedTensor<T> Create(ReadOnlySpan<long> shape)
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

        var type = ElementType();
        long[] dims = shape.ToArray();

        // The pinned object heap never moves the array, so its address stays valid for the OrtValue's whole life
        // without a GCHandle per tensor.
        var data = GC.AllocateArray<T>(checked((int)count), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(data));
        var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, type, dims, address, count * sizeof(T));
        return new PinnedTensor<T>(data, dims, value);
    }

    public void Dispose() => Value.Dispose();

    private static TensorElementType ElementType()
    {
        if (typeof(T) == typeof(float))
        {
            return TensorElementType.Float;
        }

        if (typeof(T) == typeof(long))
        {
            return TensorElementType.Int64;
        }

        if (typeof(T) == typeof(int))
        {
            return TensorElementType.Int32;
        }

        if (typeof(T) == typeof(byte))
        {
            return TensorElementType.UInt8;
        }

        throw new NotSupportedException($"no ONNX tensor element type for {typeof(T).Name}");
    }
}
