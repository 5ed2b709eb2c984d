/// Delivers encoded batches to one destination: a file, a SIEM's ingest API, a broker.
///
/// The contract, as the runner relies on it:
/// - `framings(for:)` names the framings the sink takes, in order of preference; the assembler
///   refuses a formatter that can produce none of them. Batches arrive already framed.
/// - `start()` is called once, before the first batch: check that the receiver is there and takes
///   our credentials, so a wrong endpoint or token fails before any row is read.
/// - `send(_:)` returns once every record is settled: accepted (durable at the receiver: written
///   and fsynced, or acknowledged) or refused for good (`Delivery.refused`, with the receiver's
///   reason; the runner dead-letters it). It throws `SIEMError.delivery` (retryable or not) or
///   `.output` when it cannot settle them, `PartialDelivery` when it settled a prefix first.
/// - Up to `maxInFlight` sends may run at once, so `send` must then be safe to call concurrently;
///   the runner still moves checkpoints in batch order.
/// - `close()` is called once, at the end.
public protocol EventSink: Plugin, Sendable {
    static func framings(for options: Options) -> [Framing]
    /// Former `type:` names that still work, with a warning (a renamed sink).
    static var formerIDs: [String] { get }
    /// Where records go, for the closing summary (a path, a URL without credentials).
    var destination: String { get }
    /// Batches the runner may hand over before the first is settled: 1 for files (lines in
    /// order); more for a network sink, which otherwise spends its time waiting on round trips.
    var maxInFlight: Int { get }
    func start() async throws
    func send(_ batch: EncodedBatch) async throws -> Delivery
    func close() async throws
}

extension EventSink {
    public static var formerIDs: [String] { [] }
    public var destination: String { Self.id }
    public var maxInFlight: Int { 1 }
    public func start() async throws {}
    public func close() async throws {}
}
