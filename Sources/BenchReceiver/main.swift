import Foundation
import SIEMTestSupport

/// `siem-bench-receiver hec|elasticsearch|http`: a loopback receiver for the benchmark that
/// accepts and discards what a sink sends, answering as the real API would (HEC's success
/// answer, Elasticsearch's per-item results), so only the sender's cost is measured.
/// Prints the port it listens on, then serves until killed.
let mode = CommandLine.arguments.dropFirst().first ?? "http"
let server = try LoopbackHTTPServer { request in
    switch mode {
    case "hec":
        if request.path == "/services/collector/health" { return .json(200, #"{"text":"HEC is healthy","code":17}"#) }
        return .json(200, #"{"text":"Success","code":0}"#)
    case "elasticsearch":
        if request.method == "GET" { return .json(200, #"{"name":"bench"}"#) }
        let lines = request.decodedBody.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let item = #"{"create":{"status":201}}"#
        let items = [String](repeating: item, count: lines / 2).joined(separator: ",")
        return .json(200, #"{"took":1,"errors":false,"items":[\#(items)]}"#)
    default:
        return .respond(status: 200, headers: [], body: [])
    }
}
FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
while true { sleep(3600) }
