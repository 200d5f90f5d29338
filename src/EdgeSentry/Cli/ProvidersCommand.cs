using System.CommandLine;
using EdgeSentry.Detection;

namespace EdgeSentry.Cli;

/// <summary>
/// <c>edgesentry providers</c>: the ONNX Runtime version and build flavour, the execution providers the build
/// carries, and for cuda/tensorrt whether this box has the libraries they load. For setting up a GPU box.
/// </summary>
internal static class ProvidersCommand
{
    public static Command Create()
    {
        var command = new Command("providers", "List the ONNX Runtime execution providers of this build and what each needs on this box.");
        command.SetAction(_ =>
        {
            var available = OnnxRuntimeEnvironment.AvailableProviders;
            Console.Out.WriteLine($"ONNX Runtime {OnnxRuntimeEnvironment.Version}, build flavour {ExecutionProviders.BuildFlavour} ({ExecutionProviders.NativePackage})");
            Console.Out.WriteLine($"in this build: {string.Join(", ", available)}");
            foreach (var name in ExecutionProviders.Names)
            {
                string ortName = ExecutionProviders.OrtName(name);
                string state = available.Contains(ortName) ? ExecutionProviders.Readiness(name) : "not in this build (the GPU flavour has it: -p:EdgeSentryOrtFlavour=gpu)";
                Console.Out.WriteLine($"  {name,-9} {ortName,-27} {state}");
            }

            return 0;
        });
        return command;
    }
}
