import Foundation
import Synchronization

/// Splunk's HTTP Event Collector as documented, on loopback: token checks, the `{"text","code"}`
/// answers, events indexed in order up to the first invalid one (which HEC reports with
/// `invalid-event-number`), the health endpoint, and indexer acknowledgements on a channel that
/// turn true after a set number of polls. `fault` can answer any event POST in its place.
public final class FakeSplunkHEC: @unchecked Sendable {
    public struct State {
        public var indexed: [Int] = []  // the "id" of each indexed envelope, in order
        public var eventPosts = 0
        var acks: [Int: Int] = [:]  // ack id → polls seen
        var nextAck = 0
    }

    public let token: String
    let ackAfterPolls: Int?
    let fault: @Sendable (_ eventPost: Int) -> LoopbackHTTPServer.Reply?
    public let state = Mutex(State())
    public let server: LoopbackHTTPServer

    /// `ackAfterPolls`: nil disables indexer acknowledgement (code 14 if a client asks for it).
    public init(
        token: String = "8a6f0d2e-hec-token", ackAfterPolls: Int? = nil,
        fault: @escaping @Sendable (Int) -> LoopbackHTTPServer.Reply? = { _ in nil }
    ) throws {
        self.token = token
        self.ackAfterPolls = ackAfterPolls
        self.fault = fault
        // The server needs the handler before `self` exists; the box closes that loop.
        let box = WeakBox()
        server = try LoopbackHTTPServer { request in box.target?.handle(request) ?? .drop }
        box.target = self
    }

    private final class WeakBox: @unchecked Sendable {
        weak var target: FakeSplunkHEC?
    }

    public var url: String { server.baseURL }
    public var indexedIDs: [Int] { state.withLock { $0.indexed } }
    public func stop() { server.stop() }

    private func answer(_ status: Int, _ code: Int, _ text: String, extra: String = "") -> LoopbackHTTPServer.Reply {
        .json(status, #"{"text":"\#(text)","code":\#(code)\#(extra)}"#)
    }

    fileprivate func handle(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply {
        if request.path == "/services/collector/health" { return answer(200, 17, "HEC is healthy") }
        guard let authorization = request.header("Authorization") else { return answer(401, 2, "Token is required") }
        guard authorization.hasPrefix("Splunk ") else { return answer(401, 3, "Invalid authorization") }
        guard authorization == "Splunk " + token else { return answer(403, 4, "Invalid token") }
        switch request.path {
        case "/services/collector/event": return event(request)
        case "/services/collector/ack": return ack(request)
        default: return .json(404, #"{"text":"The requested URL was not found on this server.","code":404}"#)
        }
    }

    private func event(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply {
        let body = request.decodedBody
        if body.isEmpty { return answer(400, 5, "No data") }
        let number = state.withLock { state -> Int in
            defer { state.eventPosts += 1 }
            return state.eventPosts
        }
        if let reply = fault(number) { return reply }
        let channel = request.header("X-Splunk-Request-Channel")
        if channel != nil && ackAfterPolls == nil { return answer(400, 14, "ACK is disabled") }
        let lines = String(decoding: body, as: UTF8.self).split(separator: "\n")
        for (index, line) in lines.enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return answer(400, 6, "Invalid data format", extra: #","invalid-event-number":\#(index)"#)
            }
            guard let event = object["event"] else {
                return answer(400, 12, "Event field is required", extra: #","invalid-event-number":\#(index)"#)
            }
            if (event as? String) == "" {
                return answer(400, 13, "Event field cannot be blank", extra: #","invalid-event-number":\#(index)"#)
            }
            let id = object["id"] as? Int ?? Int((event as? [String: Any])?["event_id"] as? String ?? "") ?? -1
            state.withLock { $0.indexed.append(id) }
        }
        guard channel != nil else { return answer(200, 0, "Success") }
        let id = state.withLock { state -> Int in
            defer { state.nextAck += 1 }
            state.acks[state.nextAck] = 0
            return state.nextAck
        }
        return answer(200, 0, "Success", extra: #","ackId":\#(id)"#)
    }

    private func ack(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply {
        guard request.header("X-Splunk-Request-Channel") != nil else {
            return answer(400, 10, "Data channel is missing")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
            let ids = object["acks"] as? [Int]
        else { return answer(400, 6, "Invalid data format") }
        let statuses = state.withLock { state in
            ids.map { id -> String in
                guard let polls = state.acks[id] else { return #""\#(id)":false"# }
                state.acks[id] = polls + 1
                return #""\#(id)":\#(polls + 1 >= (ackAfterPolls ?? 0))"#
            }
        }
        return .json(200, #"{"acks":{\#(statuses.joined(separator: ","))}}"#)
    }
}

extension FakeSplunkHEC {
    /// Answers `request` as this HEC would, for a wrapping server that adds delays or faults.
    public func forward(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply { handle(request) }
}
