import ArgumentParser
import Foundation
import SIEMCore
import SIEMFormatters
import Yams

/// `siem-export export`: a drop-in for the registry's own export command, built from the same
/// plugins a config would name.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export events from a registry database as SIEM JSON lines, without a config or checkpoint.")

    @Option(name: .long, help: "The registry SQLite database (opened read-only).")
    var db: String

    @Option(name: .long, help: "splunk | ecs | sentinel, or any registered formatter id (see `siem-export plugins`).")
    var format: String

    @Option(name: .customLong("registry-id"), help: "This registry's identifier, written into every event.")
    var registryID: String

    @Option(name: .long, help: "Only events whose timestamp is at or after this Unix time.")
    var since: Int64?

    @Option(name: .long, help: "At most this many events.")
    var limit: Int?

    @Option(
        name: .long, help: "'-' for standard output, a file to append to, or an http(s):// URL to POST JSON arrays to.")
    var output: String = "-"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "'Name: value' request header for an http(s) --output (repeatable); values may be ${env:NAME} or ${file:PATH}, so tokens stay out of the process list.",
            valueName: "header"))
    var header: [String] = []

    @Option(
        name: .long,
        help: "timestamp: ordered by timestamp then id, like the registry's export; id: table order, no sort.")
    var order: SourceQuery.Order = .timestamp

    @Option(
        name: .customLong("dead-letter"),
        help:
            "JSON-lines file for rows that cannot become events and events the receiver refuses (default: one line each on standard error); the export goes on and exits 65"
    )
    var deadLetter: String?

    @Option(name: .customLong("batch-size"), help: "Rows read, formatted and written per batch.")
    var batchSize: Int = PipelineConfigFile.defaultBatchSize

    @Option(
        name: .customLong("template-config"),
        help: "With --format template: the config whose first `template` pipeline defines the output.")
    var templateConfig: String?

    @Option(name: .customLong("splunk-source"), help: "Splunk HEC `source` (splunk format only).")
    var splunkSource: String?

    @Option(name: .customLong("splunk-sourcetype"), help: "Splunk HEC `sourcetype` (splunk format only).")
    var splunkSourcetype: String?

    @Option(name: .customLong("splunk-index"), help: "Splunk HEC `index` (splunk format only).")
    var splunkIndex: String?

    @Option(
        name: .customLong("ocsf-class"),
        help: "OCSF class: network_activity (default) or detection_finding (ocsf format only).")
    var ocsfClass: String?

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if !(1...100_000).contains(batchSize) { throw ValidationError("--batch-size must be from 1 to 100000") }
        if !header.isEmpty && !isHTTPOutput {
            throw ValidationError("--header applies to an http:// or https:// --output only")
        }
        for h in header where !h.contains(":") {
            throw ValidationError("--header '\(h.prefix(20))…' is not 'Name: value'")
        }
    }

    func run() async throws {
        try await CLIErrorReporting.run {
            let registry = BuiltInPlugins.registry
            guard let formatterEntry = registry.formatter(named: format) else {
                throw SIEMError.usage(
                    "unknown --format '\(format)'" + Suggestion.hint(for: format, in: registry.formatterNames))
            }
            let formatterID = formatterEntry.description.id
            var formatterOptions: [(String, String)] = []
            let splunkFlags = [("source", splunkSource), ("sourcetype", splunkSourcetype), ("index", splunkIndex)]
            for (key, value) in splunkFlags {
                guard let value else { continue }
                guard formatterID == "splunk_hec" else {
                    throw SIEMError.usage("--splunk-\(key) applies to --format splunk only")
                }
                formatterOptions.append((key, value))
            }
            if let ocsfClass {
                guard formatterID == "ocsf" else { throw SIEMError.usage("--ocsf-class applies to --format ocsf only") }
                formatterOptions.append(("class", ocsfClass))
            }
            let context = PluginContext(baseDirectory: FileManager.default.currentDirectoryPath, pipelineName: "export")
            func make<I>(_ entry: PluginRegistration<I>?, _ options: [(String, String)], _ what: String) throws -> I {
                try Self.make(
                    entry, Node.mapping(Node.Mapping(options.map { (Node($0.0), Node($0.1)) })), what, context)
            }
            let formatter: any EventFormatter
            if formatterID == TemplateFormatter.id {
                // A template's fields are a tree: they come from a config file, not from flags.
                guard let templateConfig else {
                    throw SIEMError.usage("--format template needs --template-config FILE (see config/template.yaml)")
                }
                let file = try ConfigLoader().load(path: templateConfig)
                guard let node = file.pipelines.first(where: { $0.formatter.type == TemplateFormatter.id })?.formatter
                else { throw SIEMError.usage("\(templateConfig) has no pipeline with a `template` formatter") }
                formatter = try formatterEntry.make(
                    options: YAMLOptionsDecoding(node: node.options, file: file.path, path: node.path),
                    context: PluginContext(baseDirectory: file.baseDirectory, pipelineName: "export"))
            } else {
                if templateConfig != nil {
                    throw SIEMError.usage("--template-config applies to --format template only")
                }
                formatter = try make(formatterEntry, formatterOptions, "formatter")
            }
            let mapper = try make(registry.mappers["oversight_beacon"], [("registry_id", registryID)], "mapper")
            let source = try make(registry.sources["oversight_registry"], [("path", db)], "source")
            let sinkID: String
            let sinkNode: Node
            if output == "-" {
                (sinkID, sinkNode) = ("stdout", [:])
            } else if isHTTPOutput {
                // A JSON array where the records can be one, else one record per line.
                let array = formatterEntry.description.framings.contains(.jsonArray)
                (sinkID, sinkNode) = ("http", try httpSinkNode(context, body: array ? "json_array" : "ndjson"))
            } else {
                (sinkID, sinkNode) = ("file", ["path": Node(output), "mode": "append", "sync": "none"])
            }
            guard let sinkEntry = registry.sinks[sinkID] else { throw SIEMError.usage("no \(sinkID) sink registered") }
            let sink = try Self.make(sinkEntry, sinkNode, "sink", context)
            let accepted = try sinkEntry.acceptedFramings(
                options: YAMLOptionsDecoding(node: sinkNode, file: "command line", path: "sink"))
            guard let framing = Framing.negotiate(produced: formatterEntry.description.framings, accepted: accepted)
            else {
                throw SIEMError.usage(
                    "--format \(format) cannot be written to \(sinkID) output (it takes \(accepted.map(\.kind.rawValue).joined(separator: " or ")) records)"
                )
            }
            let pipeline = AssembledPipeline(
                name: "export", formatter: formatter, formatterID: formatterID, framing: framing, sink: sink,
                sinkID: sinkID)
            let query = SourceQuery(through: try source.endPosition() ?? .start, sinceUnix: since, order: order)
            // One bad row must not hide every row after it: it is set aside, and the export goes on.
            let deadLetters: any DeadLetterDestination =
                try deadLetter.map { try DeadLetterFileWriter(path: context.resolve(path: $0)) } ?? StderrDeadLetters()
            var plan = RunPlan(query: query, startAfter: [.start], limit: limit)
            plan.rowDeadLetter = deadLetters
            plan.refusalDeadLetters = [deadLetters]
            let summaries = try await PipelineRunner(batchSize: batchSize).run(
                source: source, mapper: mapper, pipelines: [pipeline], plan: plan)
            try await sink.close()
            let summary = summaries[0]
            var line = "exported \(summary.delivered) event(s) as \(format)"
            if summary.deadLettered > 0 { line += "; \(summary.deadLettered) dead-lettered to \(deadLetters.path)" }
            StandardError.print(line)
            if summary.deadLettered > 0 { throw ExitCode(ExportCommand.deadLetteredExitCode) }
        }
    }
}

extension ExportCommand {
    /// EX_DATAERR: the export went to the end, but some rows or events were set aside.
    static let deadLetteredExitCode: Int32 = 65

    var isHTTPOutput: Bool { output.hasPrefix("http://") || output.hasPrefix("https://") }

    /// A plugin made from options given on the command line; what is wrong with them is a usage error.
    static func make<I>(
        _ entry: PluginRegistration<I>?, _ node: Node, _ what: String, _ context: PluginContext
    ) throws
        -> I
    {
        guard let entry else { throw SIEMError.usage("no \(what) plugin registered") }
        do {
            return try entry.make(
                options: YAMLOptionsDecoding(node: node, file: "command line", path: what), context: context)
        } catch let problems as OptionProblems {
            throw SIEMError.usage((what == "sink" ? "--output: " : "\(what) option ") + "\(problems)")
        }
    }

    /// The `http` sink's options for `--output URL --header …`, header values expanded like config values.
    func httpSinkNode(_ context: PluginContext, body: String) throws -> Node {
        let secrets = SecretReference(baseDirectory: context.baseDirectory)
        var headers: [(Node, Node)] = []
        for h in header {
            let colon = h.firstIndex(of: ":")!
            let name = h[..<colon].trimmingCharacters(in: .whitespaces)
            do {
                let value = try secrets.expand(h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                if PipelineAssembler.isCredentialHeader(name) { OutputRedaction.shared.register(value) }
                headers.append((Node(name), Node(value)))
            } catch {
                throw SIEMError.usage("--header \(name): \(error.description)")
            }
        }
        return Node.mapping(
            Node.Mapping([
                (Node("url"), Node(output)), (Node("headers"), .mapping(Node.Mapping(headers))),
                (Node("body"), Node(body)),
            ]))
    }
}

extension SourceQuery.Order: ExpressibleByArgument {}
