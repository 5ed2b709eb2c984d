import SIEMCore

/// Reads the lines of one round (stretches of the chain's files, or standard input) into row
/// batches: each line that is a JSON object becomes a row of the values at the mapper's paths;
/// any other line (not JSON, not an object, over `max_line_bytes`) becomes an unreadable row for
/// the dead-letter file. Blank lines are skipped: they hold nothing to lose.
final class JSONLinesRowReader: RowReader {
    /// One stretch of bytes, and the logical offset of its byte 0 (a line's id is that plus the
    /// offset past its newline).
    struct Input {
        let splitter: LineSplitter
        let logicalStart: Int64
        /// For messages and dead letters: the file's path, or `standard input`.
        let name: String
    }

    let columns: [String]
    private let tree: JSONPathTree
    private var scanner: JSONLineScanner
    private var inputs: [Input]
    /// Standard input, told how far its stream has been handed out after each batch.
    private let stream: StandardInputStream?
    /// Bytes the last batch's text took: the next arena starts that big.
    private var arenaSize = 64 * 1024
    private var repaired: [UInt8] = []
    private var scratch: [UInt8] = []
    /// A batch ends early past this much text, so a batch of huge lines stays bounded too.
    static let batchByteBudget = 8 * 1024 * 1024

    init(columns: [String], paths: [JSONPath], inputs: [Input], stream: StandardInputStream? = nil) {
        self.columns = columns
        tree = JSONPathTree(paths)
        scanner = JSONLineScanner(columnCount: paths.count)
        self.inputs = inputs
        self.stream = stream
        firstInput = inputs.first
    }

    func next(into batch: inout RowBatch, max: Int) throws {
        batch.removeAll()
        let arena = TextArena(capacity: arenaSize)
        defer { arenaSize = Swift.max(arena.byteCount + arena.byteCount / 8, 4_096) }
        var sampled = 0
        reading: while batch.count + batch.unreadable.count < max, arena.byteCount + sampled < Self.batchByteBudget {
            guard let input = inputs.first else { break }
            guard let piece = try input.splitter.next(mayWait: batch.isEmpty) else {
                inputs.removeFirst()
                continue
            }
            switch piece {
            case .later:
                break reading
            case .line(let bytes, let start, let end):
                take(bytes, start: start, end: end, of: input, arena: arena, into: &batch)
            case .oversized(let sample, let length, let start, let end):
                sample.withUnsafeBufferPointer { raw in
                    batch.appendUnreadable(
                        position: SourcePosition(id: input.logicalStart + end),
                        reason:
                            "the line is \(length) bytes long, over max_line_bytes (\(input.splitter.maxLineBytes))",
                        location: Self.location(input, start, end), raw: raw, byteCount: Int(length))
                }
                sampled += sample.count
            }
        }
        if let stream, let input = streamInput {
            try stream.record(end: input.logicalStart + input.splitter.position)
        }
    }

    /// Standard input's one input, kept past its end to record where the stream ended.
    private var streamInput: Input? { stream == nil ? nil : firstInput }
    private let firstInput: Input?

    private static func location(_ input: Input, _ start: Int64, _ end: Int64) -> String {
        "\(input.name), bytes \(start)..\(end)"
    }

    private func take(
        _ bytes: UnsafeBufferPointer<UInt8>, start: Int64, end: Int64, of input: Input, arena: TextArena,
        into batch: inout RowBatch
    ) {
        var line = bytes
        if line.last == 0x0D { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if start == 0, line.starts(with: [0xEF, 0xBB, 0xBF]) {
            line = UnsafeBufferPointer(rebasing: line.dropFirst(3))
        }
        guard line.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) else { return }
        let position = SourcePosition(id: input.logicalStart + end)
        if UTF8Validation.isValid(line) {
            scan(
                line, original: bytes, start: start, end: end, position: position, of: input, arena: arena, into: &batch
            )
        } else {
            // Repaired to U+FFFD as SQLite text is, so one broken byte does not cost the line.
            repaired.removeAll(keepingCapacity: true)
            repaired.append(contentsOf: String(decoding: line, as: UTF8.self).utf8)
            let text = repaired
            text.withUnsafeBufferPointer {
                scan(
                    $0, original: bytes, start: start, end: end, position: position, of: input, arena: arena,
                    into: &batch)
            }
        }
    }

    private func scan(
        _ line: UnsafeBufferPointer<UInt8>, original: UnsafeBufferPointer<UInt8>, start: Int64, end: Int64,
        position: SourcePosition, of input: Input, arena: TextArena, into batch: inout RowBatch
    ) {
        do {
            try scanner.scan(line, tree: tree)
        } catch {
            batch.appendUnreadable(
                position: position, reason: error.description, location: Self.location(input, start, end),
                raw: original, byteCount: original.count)
            return
        }
        batch.beginRow(id: position.id)
        for column in 0..<columns.count {
            batch.append(JSONLineValues.value(of: scanner.slots[column], in: line, arena: arena, scratch: &scratch))
        }
    }
}
