/// Hands a value that only one task or thread uses at a time across a concurrency boundary
/// (the run's plugins to its task, the source's reader to the reading thread).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
