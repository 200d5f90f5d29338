using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeSentry.Detection;

/// <summary>A model input or output as ONNX Runtime reports it. Dynamic dimensions are -1; a non-tensor has no element type.</summary>
public sealed record TensorInfo(string Name, TensorElementType? ElementType, IReadOnlyList<long> Shape)
{
    public override string ToString() => $"{Name}: {ElementType?.ToString() ?? "non-tensor"} [{string.Join(",", Shape)}]";

    internal static TensorInfo From(string name, NodeMetadata metadata) => metadata.IsTensor
        ? new TensorInfo(name, metadata.ElementDataType, metadata.Dimensions.Select(d => (long)d).ToArray())
        : new TensorInfo(name, null, []);
}
