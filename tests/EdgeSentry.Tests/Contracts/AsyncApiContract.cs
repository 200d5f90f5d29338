using System.Text.RegularExpressions;
using EdgeSentry.Tests.Peers;
using YamlDotNet.RepresentationModel;

namespace EdgeSentry.Tests.Contracts;

/// <summary>One channel of contracts/asyncapi.yaml: its address template, as a pattern, and its payload's schema.</summary>
public sealed record AsyncApiChannel(string Name, string Address, Regex Pattern, ContractSchema Schema);

/// <summary>
/// contracts/asyncapi.yaml, parsed with YamlDotNet: every channel's message payload $ref followed to its JSON Schema
/// file. <see cref="Validate"/> checks a message against the schema of the channel its topic belongs to.
/// </summary>
public sealed class AsyncApiContract
{
    private static readonly Lazy<AsyncApiContract> Shared = new(() => Load(Path.Combine(SharedPaths.RepoRoot, "contracts", "asyncapi.yaml")));

    private AsyncApiContract(string version, IReadOnlyList<AsyncApiChannel> channels)
    {
        Version = version;
        Channels = channels;
    }

    /// <summary>The repository's document, loaded once per test run.</summary>
    public static AsyncApiContract Default => Shared.Value;

    public string Version { get; }

    public IReadOnlyList<AsyncApiChannel> Channels { get; }

    /// <summary>Parses the document; throws naming the channel whose payload does not resolve.</summary>
    public static AsyncApiContract Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        string version = Scalar(Child(Child(root, "info"), "version"));
        var channels = new List<AsyncApiChannel>();
        foreach ((YamlNode key, YamlNode value) in (YamlMappingNode)Child(root, "channels"))
        {
            string name = Scalar(key);
            string address = Scalar(Child(value, "address"));
            var messages = (YamlMappingNode)Child(value, "messages");
            if (messages.Children.Count != 1)
            {
                throw new InvalidDataException($"channel {name}: one message per channel expected, found {messages.Children.Count}");
            }

            YamlNode message = Resolve(root, Scalar(Child(messages.Children.Single().Value, "$ref")), name);
            string schemaRef = Scalar(Child(Child(Child(message, "payload"), "schema"), "$ref"));
            if (!schemaRef.StartsWith("./", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"channel {name}: payload schema '{schemaRef}' is not a file beside asyncapi.yaml");
            }

            string file = Path.Combine(Path.GetDirectoryName(path)!, schemaRef[2..]);
            if (!File.Exists(file))
            {
                throw new InvalidDataException($"channel {name}: payload schema {schemaRef} does not exist");
            }

            string pattern = "^" + Regex.Replace(Regex.Escape(address), @"\\\{[A-Za-z]+}", "[^/+#]+") + "$";
            channels.Add(new AsyncApiChannel(name, address, new Regex(pattern, RegexOptions.CultureInvariant), ContractSchema.Load(schemaRef[2..])));
        }

        return new AsyncApiContract(version, channels);
    }

    /// <summary>The channel whose address the topic matches, or null.</summary>
    public AsyncApiChannel? ChannelOf(string topic) => Channels.FirstOrDefault(c => c.Pattern.IsMatch(topic));

    /// <summary>
    /// Violations of the message against its channel's schema; a topic no channel describes is a violation too.
    /// An empty payload is the MQTT way to delete a retained message and carries no schema.
    /// </summary>
    public IReadOnlyList<string> Validate(string topic, ReadOnlySpan<byte> payload)
    {
        if (ChannelOf(topic) is not { } channel)
        {
            return [$"no channel of asyncapi.yaml {Version} describes topic {topic}"];
        }

        if (payload.IsEmpty)
        {
            return [];
        }

        return [.. channel.Schema.Validate(payload).Select(e => $"{topic} ({channel.Schema.File}): {e}")];
    }

    private static YamlNode Child(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? child)
            ? child
            : throw new InvalidDataException($"asyncapi.yaml: '{key}' missing");

    private static string Scalar(YamlNode node) => node is YamlScalarNode { Value: { } v } ? v : throw new InvalidDataException("asyncapi.yaml: scalar expected");

    /// <summary>Follows a local reference such as '#/components/messages/incident'.</summary>
    private static YamlNode Resolve(YamlMappingNode root, string reference, string channel)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"channel {channel}: reference '{reference}' is not local");
        }

        YamlNode node = root;
        foreach (string part in reference[2..].Split('/'))
        {
            node = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(part), out YamlNode? child)
                ? child
                : throw new InvalidDataException($"channel {channel}: reference '{reference}' does not resolve ('{part}')");
        }

        return node;
    }
}
