import Foundation
import Synchronization

/// Elasticsearch's `_bulk` API as documented, on loopback: `create` actions that store a document
/// once per `_id` and answer 409 `version_conflict_engine_exception` for a repeat, per-item
/// results in a 200 answer, credentials checked on every request. `itemFault` can refuse chosen
/// documents on chosen attempts; `maxBodyBytes` answers 413 to larger requests.
public final class FakeElasticsearch: @unchecked Sendable {
    public struct State {
        public var documents: [String: String] = [:]  // _id → source line
        public var order: [String] = []
        public var attempts: [String: Int] = [:]
    }

    let authorization: String
    let maxBodyBytes: Int
    let itemFault: @Sendable (_ id: String, _ attempt: Int) -> (status: Int, type: String, reason: String)?
    public let state = Mutex(State())
    public let server: LoopbackHTTPServer

    public init(
        authorization: String = "ApiKey c2llbTpzZWNyZXQta2V5", maxBodyBytes: Int = .max,
        itemFault: @escaping @Sendable (String, Int) -> (status: Int, type: String, reason: String)? = { _, _ in nil }
    ) throws {
        self.authorization = authorization
        self.maxBodyBytes = maxBodyBytes
        self.itemFault = itemFault
        let box = Box()
        server = try LoopbackHTTPServer { request in box.target?.handle(request) ?? .drop }
        box.target = self
    }

    private final class Box: @unchecked Sendable { weak var target: FakeElasticsearch? }

    public var url: String { server.baseURL }
    public var ids: [String] { state.withLock { $0.order } }
    public func document(_ id: String) -> [String: Any]? {
        state.withLock { $0.documents[id] }.flatMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
    public func stop() { server.stop() }

    fileprivate func handle(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply {
        guard request.header("Authorization") == authorization else {
            return .json(
                401, #"{"error":{"type":"security_exception","reason":"unable to authenticate"},"status":401}"#)
        }
        if request.method == "GET" && request.path == "/" {
            return .json(200, #"{"name":"fake","cluster_name":"test","version":{"number":"8.15.0"}}"#)
        }
        guard request.method == "POST", request.path == "/_bulk" else { return .json(404, "{}") }
        if request.body.count > maxBodyBytes { return .json(413, "{}") }
        let lines = String(decoding: request.decodedBody, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        var items: [String] = []
        var errors = false
        var i = 0
        while i + 1 < lines.count {
            guard
                let action = try? JSONSerialization.jsonObject(with: Data(lines[i].utf8))
                    as? [String: [String: String]],
                let create = action["create"], let id = create["_id"], let index = create["_index"]
            else { return .json(400, #"{"error":{"type":"illegal_argument_exception","reason":"Malformed action"}}"#) }
            let source = String(lines[i + 1])
            i += 2
            let attempt = state.withLock { state -> Int in
                defer { state.attempts[id, default: 0] += 1 }
                return state.attempts[id, default: 0]
            }
            let head = #""_index":"\#(index)","_id":"\#(id)""#
            if let fault = itemFault(id, attempt) {
                errors = true
                items.append(
                    #"{"create":{\#(head),"status":\#(fault.status),"error":{"type":"\#(fault.type)","reason":"\#(fault.reason)"}}}"#
                )
                continue
            }
            let created = state.withLock { state -> Bool in
                guard state.documents[id] == nil else { return false }
                state.documents[id] = source
                state.order.append(id)
                return true
            }
            if created {
                items.append(#"{"create":{\#(head),"_version":1,"result":"created","status":201}}"#)
            } else {
                errors = true
                items.append(
                    #"{"create":{\#(head),"status":409,"error":{"type":"version_conflict_engine_exception","reason":"document already exists"}}}"#
                )
            }
        }
        return .json(200, #"{"took":3,"errors":\#(errors),"items":[\#(items.joined(separator: ","))]}"#)
    }
}

extension FakeElasticsearch {
    /// Answers `request` as this Elasticsearch would, for a wrapping server that adds delays.
    public func forward(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Reply { handle(request) }
}
