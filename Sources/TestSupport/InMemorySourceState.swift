import SIEMCore
import Synchronization

/// A `SourceStateStore` in memory, for source tests: a new instance is a fresh state file, and
/// keeping one across sources is a restart that kept its state file.
public final class InMemorySourceState: SourceStateStore {
    private let values = Mutex<[String: String]>([:])

    public init() {}

    public func value(forKey key: String) throws -> String? { values.withLock { $0[key] } }

    public func set(_ value: String?, forKey key: String) throws { values.withLock { $0[key] = value } }

    public func all() throws -> [(key: String, value: String)] {
        values.withLock { $0.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }
}
