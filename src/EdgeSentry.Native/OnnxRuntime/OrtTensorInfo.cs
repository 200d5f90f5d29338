namespace EdgeSentry.Native.OnnxRuntime;

/// <summary>A model input or output as the session reports it. Dynamic dimensions are -1.</summary>
public sealed record OrtTensorInfo(string Name, OrtElementType ElementType, IReadOnlyList<long> Shape)
{
    public override string ToString() => $"{Name}: {ElementType} [{string.Join(",", Shape)}]";
}
