import CMalloc
import Foundation
import SIEMTestSupport

/// `siem-bench-receiver hec|elasticsearch|http`: a loopback receiver for the benchmark that
/// accepts and discards what a sink sends, answering as the real API would (HEC's success
/// answer, Elasticsearch's per-item results), so only the sender's cost is measured.
/// Prints the port it listens on, then serves until killed.
///
/// `siem-bench-receiver kafka` runs librdkafka's mock cluster instead (one broker, topic `bench`
/// of 3 partitions) and prints its bootstrap servers; `siem-bench-receiver postgres` a throwaway
/// PostgreSQL server with a database `bench` holding the registry's `events` table, and prints
/// `PORT PASSWORD SOCKET_DIRECTORY`. Both stop when the process is killed.
// As in siem-export: megabyte request buffers stay in the heap instead of page-faulting back in,
// so the receiver's own overhead takes as little as possible of the two cores it shares.
siem_keep_freed_memory_in_heap(64 << 20, 256 << 20)
let mode = CommandLine.arguments.dropFirst().first ?? "http"
if mode == "kafka" {
    let cluster = try KafkaMockCluster(brokers: 1)
    try cluster.createTopic("bench", partitions: 3)
    FileHandle.standardOutput.write(Data("\(cluster.bootstrapServers)\n".utf8))
    while true { sleep(3600) }
}
if mode == "postgres" {
    let server = try PostgresTestServer()
    let database = "bench"
    try PostgresTestServer.Session(
        host: server.socketDirectory, port: server.port, database: "postgres", user: "postgres"
    )
    .execute("CREATE DATABASE \(database) OWNER \(server.user)")
    try server.session(database: database).execute(PostgresRegistrySchema.ddl)
    FileHandle.standardOutput.write(Data("\(server.port) \(server.password) \(server.socketDirectory)\n".utf8))
    while true { sleep(3600) }
}
let server = try LoopbackHTTPServer(recordsRequests: false) { request in
    switch mode {
    case "hec":
        if request.path == "/services/collector/health" { return .json(200, #"{"text":"HEC is healthy","code":17}"#) }
        return .json(200, #"{"text":"Success","code":0}"#)
    case "elasticsearch":
        if request.method == "GET" { return .json(200, #"{"name":"bench"}"#) }
        let lines = request.decodedBody.withUnsafeBufferPointer { body -> Int in
            guard var cursor = UnsafeRawPointer(body.baseAddress) else { return 0 }
            let end = cursor + body.count
            var count = 0
            while cursor < end, let newline = memchr(cursor, 0x0A, end - cursor) {
                count += 1
                cursor = UnsafeRawPointer(newline) + 1
            }
            return count
        }
        let item = Array(#",{"create":{"status":201}}"#.utf8)
        var answer = Array(#"{"took":1,"errors":false,"items":["#.utf8)
        answer.reserveCapacity(answer.count + item.count * lines / 2 + 2)
        for i in 0..<lines / 2 { answer += i == 0 ? item.dropFirst() : item[...] }
        answer += Array("]}".utf8)
        return .respond(status: 200, headers: [("Content-Type", "application/json")], body: answer)
    default:
        return .respond(status: 200, headers: [], body: [])
    }
}
FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
while true { sleep(3600) }
