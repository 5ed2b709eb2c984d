import SIEMCore

/// A JSON-lines file an application appends to, followed like `tail -F` across rotation (by
/// rename or `copytruncate`) and truncation, or standard input (`path: "-"`) read once to its end.
///
/// A row is one line holding a JSON object; its id (the checkpoint and the event id) is the
/// logical offset just past its newline, counted over every file the path has had, so ids grow
/// across rotation and a line re-read gets the same id. A line without its newline yet is left
/// for a later round: a writer's torn line is never read half. See docs/SOURCES-jsonl.md.
public final class JSONLinesSource: EventSource {
    public static let id = "jsonl"
    public static let summary =
        "A JSON-lines file an application appends to, followed across rotation and truncation (tail -F), or standard input (`-`)"

    /// Where a file seen for the first time is read from.
    public enum StartAt: String, OptionChoice {
        /// Every line it already holds (Vector's `read_from: beginning`): nothing is lost on the first run.
        case beginning
        /// Only lines written after the first look (Fluent Bit's default, `read_from_head: false`).
        case end
    }

    public struct Options: PluginOptions {
        public var path = ""
        public var rotated: [String] = []
        public var rotateWaitMS = 5_000
        public var maxLineBytes = 1_048_576
        public var startAt = StartAt.beginning

        public static let specs: [OptionSpec<Options>] = [
            .init(
                "path", \.path,
                help: "the JSON-lines file (relative to the config file), or `-` for standard input, read once",
                required: true),
            .init(
                "rotated", \.rotated,
                help:
                    "name patterns (fnmatch) in the file's directory where rotation moves or copies it; default `<name>.*` and `<name>-*` (logrotate's, with and without dateext)",
                check: { patterns in
                    patterns.contains { $0.isEmpty || $0.contains("/") }
                        ? "a pattern is a file name in the followed file's directory (no `/`)" : nil
                }),
            .init(
                "rotate_wait_ms", \.rotateWaitMS,
                help:
                    "how long a file renamed away must go unwritten before it is finished and the new file is read (the writer may not have reopened yet)",
                range: 0...3_600_000),
            .init(
                "max_line_bytes", \.maxLineBytes,
                help: "a longer line goes to the dead-letter file (its first 16 KiB) instead of being held in memory",
                range: 64...67_108_864),
            .init(
                "start_at", \.startAt,
                help: "where a file seen for the first time is read from: every line it holds, or only new ones"),
        ]

        public init() {}

        public func validateCombination() throws {
            guard path == "-" else { return }
            if startAt == .end {
                throw SIEMError.invalidOption(
                    key: "start_at", message: "standard input is read from its start; `start_at: end` is for files")
            }
            if !rotated.isEmpty {
                throw SIEMError.invalidOption(key: "rotated", message: "standard input is not rotated")
            }
        }
    }

    public let identity: String
    let maxLineBytes: Int
    /// The followed file's chain; nil for standard input.
    let chain: FileChain?
    /// Standard input; nil for a file.
    let stream: StandardInputStream?

    public convenience init(options: Options, context: PluginContext) throws {
        try self.init(
            path: context.resolve(path: options.path), rotated: options.rotated, rotateWaitMS: options.rotateWaitMS,
            maxLineBytes: options.maxLineBytes, startAt: options.startAt, warn: context.warn)
    }

    init(
        path: String, rotated: [String] = [], rotateWaitMS: Int = 5_000, maxLineBytes: Int = 1_048_576,
        startAt: StartAt = .beginning, standardInput: Int32 = 0, warn: @escaping @Sendable (String) -> Void = { _ in }
    ) throws {
        self.maxLineBytes = maxLineBytes
        if path == "-" {
            identity = "standard input"
            stream = StandardInputStream(descriptor: standardInput)
            chain = nil
            return
        }
        let names = RotatedNames(path: path, patterns: rotated)
        var isDirectory = false
        guard FileProbe.exists(names.directory, isDirectory: &isDirectory), isDirectory else {
            throw SIEMError.source(path: path, message: "its directory '\(names.directory)' does not exist")
        }
        identity = path
        stream = nil
        chain = FileChain(
            path: path, rotated: names, rotateWaitMS: rotateWaitMS, startAtEnd: startAt == .end, warn: warn)
    }

    public func attach(state: any SourceStateStore) throws {
        chain?.attach(state)
        stream?.attach(state)
    }

    /// A position here is a byte offset over the file and those rotated before it, not a row id.
    public func endInWords(_ end: SourcePosition) -> String {
        "lines up to offset \(end.id) (bytes, counted across rotations)"
    }

    /// The end of the last whole line now, after following any rotation or truncation. For
    /// standard input, where the last stream ended until this one is read.
    public func endPosition() throws -> SourcePosition? {
        if let stream { return try stream.endPosition() }
        try chain!.refresh()
        return chain!.endPosition
    }

    /// A JSON line has no columns before it is read: any path may be asked for.
    public func availableColumns() throws -> [String]? { nil }

    /// Reads the lines after `query.after` up to `query.through` (files), or the whole of standard
    /// input once (a stream has no position to resume from: `after` and `through` do not apply).
    public func open(_ query: SourceQuery, columns: [SourceColumn]) throws -> any RowReader {
        guard query.order == .id else {
            throw SIEMError.source(
                path: identity, message: "a JSON-lines source is read in file order only, not by timestamp")
        }
        let paths = try columns.map { column in
            do {
                return try JSONPath(column.name)
            } catch {
                throw SIEMError.source(
                    path: identity,
                    message: "\(error)" + (column.configPath.map { " (named by the mapper's \($0))" } ?? ""))
            }
        }
        let names = columns.map(\.name)
        let maxLineBytes = self.maxLineBytes
        if let stream {
            guard let base = try stream.claim() else {
                return JSONLinesRowReader(columns: names, paths: paths, inputs: [])
            }
            let splitter = LineSplitter(from: 0, to: nil, final: true, maxLineBytes: maxLineBytes) { buffer, _, wait in
                try stream.read(into: buffer, mayWait: wait)
            }
            return JSONLinesRowReader(
                columns: names, paths: paths,
                inputs: [.init(splitter: splitter, logicalStart: base, name: "standard input")], stream: stream)
        }
        let inputs = try chain!.segments(after: query.after, through: query.through).map { segment in
            let file = segment.file
            let fingerprint = segment.fingerprint
            let splitter = LineSplitter(
                from: segment.from, to: segment.to, final: segment.isFinal, maxLineBytes: maxLineBytes
            ) { buffer, offset, _ in
                let count = try file.read(into: buffer, at: offset)
                // Bytes read after the file was cut and written anew are not its lines: the
                // stretch ends here, and the next round reads on from the copy.
                if count > 0, let fingerprint, try !fingerprint.matches(file) { return 0 }
                return count
            }
            return JSONLinesRowReader.Input(splitter: splitter, logicalStart: segment.start, name: segment.name)
        }
        return JSONLinesRowReader(columns: names, paths: paths, inputs: inputs)
    }
}
