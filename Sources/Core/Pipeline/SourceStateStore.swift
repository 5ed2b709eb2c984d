/// What a source must remember across runs besides its checkpoint position — the files a
/// followed JSON-lines path has had, each with its identity and where its bytes start — kept in
/// the run's state file beside the checkpoints (Fluent Bit's tail database, Vector's checkpoints).
///
/// Keys are the source's own; the store scopes them to the source's identity. A value is written
/// durably before `set` returns, so a source records a fact (a new file) before it reads past it.
public protocol SourceStateStore: AnyObject, Sendable {
    func value(forKey key: String) throws -> String?
    func set(_ value: String?, forKey key: String) throws
    /// Every key with its value, in key order.
    func all() throws -> [(key: String, value: String)]
}
