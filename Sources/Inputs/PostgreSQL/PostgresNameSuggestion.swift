/// The closest existing name to a mistyped one, for "did you mean …?" in a source error.
///
/// The host has its own for config keys; this module depends on SIEMCore alone, so it keeps a
/// copy small enough not to matter.
enum PostgresNameSuggestion {
    /// The candidate at the smallest edit distance (case-insensitive), if that distance is at
    /// most a third of the name's length (at least 2): further away it is a guess, not a hint.
    static func closest(to name: String, in candidates: [String]) -> String? {
        let target = Array(name.lowercased())
        let limit = max(2, target.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = distance(target, Array(candidate.lowercased()))
            if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.name
    }

    /// Levenshtein distance, two rows.
    private static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...max(b.count, 1) where j <= b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// `" (did you mean 'x'?)"`, or nothing.
    static func hint(for name: String, in candidates: [String]) -> String {
        closest(to: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}
