/// What changed between a recorded and a rendered set of records, field by field: a reviewer
/// reads `~ who.agent: "Mozilla/5.0" → "curl/8"` instead of two long lines.
struct RecordDiff {
    struct Change: Equatable {
        enum Kind: String { case added, removed, changed }
        var kind: Kind
        var path: String
        var old: String?
        var new: String?
    }

    /// One record that differs: its number (1-based, among records) and its line in the file.
    struct Record: Equatable {
        var number: Int
        var line: Int
        var changes: [Change]
    }

    var records: [Record]
    /// Records compared (the longer side's count).
    var compared: Int

    var isEmpty: Bool { records.isEmpty }

    init(records: [Record], compared: Int) {
        self.records = records
        self.compared = compared
    }

    /// Record by record, in order; `firstLine` is the file line of record 1 (2 after a header).
    init(recorded: [String], rendered: [String], firstLine: Int = 1) {
        compared = max(recorded.count, rendered.count)
        records = (0..<compared).compactMap { i in
            let old = i < recorded.count ? recorded[i] : nil
            let new = i < rendered.count ? rendered[i] : nil
            guard old != new else { return nil }
            let changes: [Change]
            switch (old, new) {
            case (let old?, let new?): changes = Self.changes(old, new)
            case (let old?, nil): changes = [Change(kind: .removed, path: "(record)", old: old)]
            case (nil, let new?): changes = [Change(kind: .added, path: "(record)", new: new)]
            case (nil, nil): changes = []
            }
            return Record(number: i + 1, line: i + firstLine, changes: changes)
        }
    }

    static func changes(_ old: String, _ new: String) -> [Change] {
        let before = RecordFields.fields(of: old)
        let after = RecordFields.fields(of: new)
        let newByPath = Dictionary(after.map { ($0.path, $0.value) }, uniquingKeysWith: { first, _ in first })
        let oldPaths = Set(before.map(\.path))
        var changes: [Change] = []
        for field in before {
            if let value = newByPath[field.path] {
                if value != field.value {
                    changes.append(Change(kind: .changed, path: field.path, old: field.value, new: value))
                }
            } else {
                changes.append(Change(kind: .removed, path: field.path, old: field.value))
            }
        }
        for field in after where !oldPaths.contains(field.path) {
            changes.append(Change(kind: .added, path: field.path, new: field.value))
        }
        if changes.isEmpty {
            // The same fields and values: what moved is their order, or their bytes.
            let sameOrder = before.map(\.path) == after.map(\.path)
            changes.append(
                Change(
                    kind: .changed, path: sameOrder ? "(bytes)" : "(field order)",
                    old: sameOrder ? old : before.map(\.path).joined(separator: ", "),
                    new: sameOrder ? new : after.map(\.path).joined(separator: ", ")))
        }
        return changes
    }
}
