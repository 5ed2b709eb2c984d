import Foundation
import SIEMCore
import SIEMTestSupport
import Synchronization
import Testing

@testable import SIEMInputs

/// A JSON-lines file in a directory of its own, written and rotated the way applications and
/// logrotate do it (appends with O_APPEND, renames, copy-then-truncate), and read the way a run
/// reads it: round by round, each from the last checkpoint to the end found at its start.
final class FollowedFile: @unchecked Sendable {
    let directory: TemporaryDirectory
    let name: String
    var path: String { directory.appending(name).path }

    init(_ name: String = "app.log") throws {
        directory = try TemporaryDirectory("jsonl")
        self.name = name
    }

    func at(_ name: String) -> String { directory.appending(name).path }

    /// Appends as a writer does: one `write(2)` with O_APPEND (the file made if missing).
    func append(_ text: String, to name: String? = nil) throws { try append(Array(text.utf8), to: name) }

    func append(_ bytes: [UInt8], to name: String? = nil) throws {
        let descriptor = open(at(name ?? self.name), O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        defer { close(descriptor) }
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw POSIXError(.EIO)
        }
    }

    /// `{"seq":N,…}` lines for `range`, newline-terminated.
    static func lines(_ range: ClosedRange<Int>, pad: Int = 0) -> String {
        range.map { "{\"seq\":\($0),\"pad\":\"\(String(repeating: "x", count: pad))\"}\n" }.joined()
    }

    /// logrotate's default: the file renamed, a new one made at the path (`create`).
    func rotateByRename(to rotated: String, create: Bool = true) throws {
        try FileManager.default.moveItem(atPath: path, toPath: at(rotated))
        if create { try append("") }
    }

    /// logrotate's `copytruncate`: the bytes copied to `rotated`, then the file cut to nothing.
    func copyTruncate(to rotated: String) throws {
        try FileManager.default.copyItem(atPath: path, toPath: at(rotated))
        guard truncate(path, 0) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    func truncateToZero() throws {
        guard truncate(path, 0) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: at(name)) }

    /// Sets a file's modification time `seconds` before now: a rotation hours ago, without waiting.
    func age(_ name: String, seconds: Double) throws {
        let when = Date().addingTimeInterval(-seconds)
        try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: at(name))
    }

    func source(
        state: InMemorySourceState? = InMemorySourceState(), rotateWaitMS: Int = 0, maxLineBytes: Int = 1_048_576,
        startAt: JSONLinesSource.StartAt = .beginning, rotated: [String] = [], warnings: Warnings = Warnings()
    ) throws -> JSONLinesSource {
        let source = try JSONLinesSource(
            path: path, rotated: rotated, rotateWaitMS: rotateWaitMS, maxLineBytes: maxLineBytes, startAt: startAt,
            warn: { warnings.add($0) })
        if let state { try source.attach(state: state) }
        return source
    }
}

/// What a source said to the operator.
final class Warnings: Sendable {
    private let messages = Mutex<[String]>([])
    func add(_ message: String) { messages.withLock { $0.append(message) } }
    var all: [String] { messages.withLock { $0 } }
}

/// What one round read: each row's id and values (as text), and the unreadable rows.
struct Round {
    var ids: [Int64] = []
    var rows: [[String]] = []
    var unreadable: [UnreadableRow] = []
    var end: SourcePosition?

    /// The `seq` column of each row, as numbers.
    var seqs: [Int] { rows.map { Int($0[0]) ?? -1 } }

    /// The row and unreadable positions in order: what a checkpoint can be.
    var positions: [Int64] { (ids + unreadable.map(\.position.id)).sorted() }
}

/// A row value as text: `null`, a number, or the text itself.
func describe(_ value: SQLValue) -> String {
    switch value {
    case .null: return "null"
    case .integer(let i): return "\(i)"
    case .real(let d): return "real:\(d)"
    case .text(let t): return t.string
    case .blob(let b): return "blob:\(b.count)"
    }
}

extension JSONLinesSource {
    /// One round as `RunSession` runs it: the end now, then every row after `after` up to it.
    func round(after: SourcePosition = .start, columns: [String] = ["seq"], batch: Int = 3) throws -> Round {
        var round = Round()
        round.end = try endPosition()
        let reader = try open(
            SourceQuery(after: after, through: round.end ?? .start), columns: columns.map { SourceColumn($0) })
        var rows = RowBatch(columns: reader.columns)
        while true {
            try reader.next(into: &rows, max: batch)
            if rows.isEmpty { break }
            #expect(rows.count + rows.unreadable.count <= batch, "a batch holds at most what was asked")
            for row in 0..<rows.count {
                round.ids.append(rows.ids[row])
                round.rows.append(rows.row(row).map { describe($0.value) })
            }
            round.unreadable += rows.unreadable
        }
        return round
    }
}
