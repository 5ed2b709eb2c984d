import Foundation
import SIEMCore
import SIEMFormatters
import SIEMSinks
import SIEMTestSupport
import Testing

/// The `syslog` formatter and sink against real receivers: Debian's rsyslog parses what we
/// send over TCP (octet counting) and UDP, structured data included; TLS is checked against
/// `openssl s_server` with a CA made at test time.
@Suite(.serialized) struct SyslogDeliveryTests {
    static let events: [Event] = [
        Event(
            eventID: 42, kind: "dns", occurredUnix: 1_735_000_000, registryID: "reg", tokenID: "tok_a",
            sourceIP: "198.51.100.7", userAgent: UTF8Text(#"quote " backslash \ bracket ] line"# + "\nbreak é 😀"),
            tlogIndex: 7, extra: JSONText(.object([("qname", .string("x.example"))]))),
        Event(eventID: 43, kind: "ocsp", occurredUnix: 0, registryID: "reg"),
    ]

    func batch(_ options: SyslogFormatter.Options = .init()) throws -> EncodedBatch {
        let formatter = try SyslogFormatter(options: options, context: PluginContext(baseDirectory: "/"))
        var writer = RecordWriter()
        var ends: [Int] = []
        for event in Self.events {
            try formatter.encode(event, into: &writer)
            writer.endRecord()
            ends.append(writer.count)
        }
        return EncodedBatch(
            bytes: writer.bytes, recordEnds: ends, eventIDs: Self.events.map(\.eventID), framing: .lines)
    }

    func sink(_ address: String, _ transport: SyslogTransport, caFile: String? = nil) throws -> SyslogSink {
        var options = SyslogSink.Options()
        options.address = address
        options.transport = transport
        options.caFile = caFile
        options.retry.maxRetries = 1
        options.retry.retryInitialMS = 1
        options.retry.retryMaxMS = 5
        options.timeoutMS = 2_000
        try options.validate()
        return try SyslogSink(options: options, context: PluginContext(baseDirectory: "/", pipelineName: "syslog"))
    }

    @Test(arguments: [SyslogTransport.tcp, .udp])
    func rsyslogParsesHeaderStructuredDataAndMessage(transport: SyslogTransport) async throws {
        let rsyslog = try RsyslogReceiver()
        defer { rsyslog.stop() }
        let port = transport == .tcp ? rsyslog.tcpPort : rsyslog.udpPort
        var options = SyslogFormatter.Options()
        options.hostname = "registry.example"
        let sink = try sink("127.0.0.1:\(port)", transport)
        try await sink.start()
        #expect(try await sink.send(batch(options)).accepted == 2)
        try await sink.close()

        let received = rsyslog.messages(waitingFor: 2)
        try #require(received.count == 2)
        let first = received[0]
        #expect(first.pri == "109")  // audit (13) × 8 + notice (5)
        #expect(first.version == "1")
        #expect(first.timestamp == "2024-12-24T00:26:40Z")
        #expect(first.hostname == "registry.example" && first.appName == "oversight-registry")
        #expect(first.procID == "-" && first.msgID == "dns")
        let sd = try #require(first.structuredData["beacon@32473"])
        #expect(sd["id"] == "42" && sd["action"] == "beacon-dns-callback" && sd["token_id"] == "tok_a")
        #expect(sd["user_agent"] == #"quote " backslash \ bracket ] line\nbreak é 😀"#)
        #expect(sd["tlog_index"] == "7" && sd["schema"] == "oversight-syslog-1")
        let body = first.msg.hasPrefix("\u{FEFF}") ? String(first.msg.dropFirst()) : first.msg
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(json["event_id"] as? String == "42")
        #expect((json["extra"] as? [String: String])?["qname"] == "x.example")

        #expect(received[1].timestamp == "1970-01-01T00:00:00Z")
        #expect(received[1].structuredData["beacon@32473"]?["source_ip"] == nil, "empty fields left out")
    }

    /// Every golden syslog line, as rsyslog parses it: the header, the id in the structured data;
    /// for audit, threat and decision events also the PRI from the event's severity, the action
    /// as MSGID, the tenant and the fraction of the second.
    @Test func rsyslogParsesEveryGoldenLine() async throws {
        let folder = GoldenFile.goldenRoot.appendingPathComponent("syslog/oversight-syslog-1")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for file in files {
            bytes += try Data(contentsOf: folder.appendingPathComponent(file))
            ends.append(bytes.count)
        }
        let rsyslog = try RsyslogReceiver()
        defer { rsyslog.stop() }
        let sink = try sink("127.0.0.1:\(rsyslog.tcpPort)", .tcp)
        let batch = EncodedBatch(
            bytes: bytes, recordEnds: ends, eventIDs: files.indices.map { Int64($0) }, framing: .lines)
        #expect(try await sink.send(batch).accepted == files.count)
        let received = rsyslog.messages(waitingFor: files.count)
        #expect(received.count == files.count)
        let fixtures = Dictionary(uniqueKeysWithValues: try FixtureRows.all().map { ($0.name, $0.row.id) })
        let others = Dictionary(uniqueKeysWithValues: try CanonicalFixtures.all().map { ($0.name, $0.event) })
        #expect(files.count == fixtures.count + others.count)
        // RFC 5424 §6.2.1 codes of the scale; unknown takes the `severity` option (notice, 5).
        let codes: [EventSeverity: Int] = [
            .unknown: 5, .informational: 6, .low: 5, .medium: 4, .high: 3, .critical: 2,
        ]
        for (file, message) in zip(files, received) {
            let name = String(file.dropLast(4))
            // rsyslog's RFC 3339 parser stops at the year 2100; the year-9999 case is valid RFC 5424
            // that this receiver reads as a legacy message (documented in docs/SIEM.md).
            if file == "max-int64.txt" {
                #expect(message.appName != "oversight-registry", "rsyslog now reads year 9999: drop this case")
                continue
            }
            #expect(message.version == "1" && message.appName == "oversight-registry", "\(file)")
            if let event = others[name] {
                let sd = try #require(message.structuredData["event@32473"], "\(file): \(message.structuredData)")
                #expect(sd["id"] == String(event.eventID) && sd["schema"] == "oversight-syslog-1", "\(file)")
                #expect(sd["tenant"] == event.tenant?.string && sd["category"] == event.category.rawValue, "\(file)")
                #expect(sd["severity"] == event.severity.name.description, "\(file)")
                #expect(sd["actor_user"] == event.actorUser?.string, "\(file)")
                #expect(message.pri == String(13 * 8 + codes[event.severity]!), "\(file)")
                #expect(message.msgID == event.action?.string, "\(file)")
                let time = RFC3339.string(fromUnixSeconds: event.occurredUnix, nanos: event.occurredNanos, maxDigits: 6)
                #expect(message.timestamp == time, "\(file)")
            } else {
                let id = message.structuredData["beacon@32473"]?["id"]
                #expect(id != nil && id == fixtures[name].map(String.init), "\(file)")
            }
        }
    }

    @Test func anUnreachableReceiverFailsAtStartNamingIt() async throws {
        let port = try LoopbackPort.freeTCP()  // nothing listens there
        do {
            try await sink("127.0.0.1:\(port)", .tcp).start()
            Issue.record("connected to nothing")
        } catch let error as SIEMError {
            #expect(error.description.contains("cannot connect to 127.0.0.1:\(port)"))
        }
    }

    @Test func tlsVerifiesTheReceiverAndFramesByOctetCount() async throws {
        let certificates = try TestCertificates.make()
        let outputFolder = try TemporaryDirectory("siem-tls-output")
        let output = outputFolder.appending("received").path
        // A port free a moment ago may be taken by another test's listener before s_server binds
        // it: s_server then exits, and it is started again on another port.
        var started: (server: Process, port: Int, stdin: Pipe)?
        for _ in 1...3 where started == nil {
            #expect(FileManager.default.createFile(atPath: output, contents: nil))
            let port = try LoopbackPort.freeTCP()
            let server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            server.arguments = [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificates.certificateFile, "-key",
                certificates.keyFile, "-quiet", "-naccept", "3",  // the readiness probe, the refused handshake, ours
            ]
            server.standardOutput = FileHandle(forWritingAtPath: output)
            let stdin = Pipe()  // kept open: s_server ends a session when its standard input ends
            server.standardInput = stdin
            server.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try ChildProcessLaunch.run(server)
            if LoopbackPort.waitUntilListening(port, while: { server.isRunning }) {
                started = (server, port, stdin)
            } else if server.isRunning {
                kill(server.processIdentifier, SIGKILL)
                server.waitUntilExit()
            }
        }
        let (server, port, stdin) = try #require(started, "s_server did not start listening")
        defer {
            if server.isRunning {
                kill(server.processIdentifier, SIGKILL)  // SIGTERM may be blocked in a child of a test thread
                server.waitUntilExit()
            }
        }

        // Without our CA the certificate is refused: nothing is sent to an unverified receiver.
        do {
            try await sink("127.0.0.1:\(port)", .tls).start()
            Issue.record("unverified certificate accepted")
        } catch let error as SIEMError {
            #expect(error.description.contains("TLS handshake"))
        }
        usleep(200_000)
        let sink = try sink("127.0.0.1:\(port)", .tls, caFile: certificates.caFile)
        let batch = try batch()
        #expect(try await sink.send(batch).accepted == 2)
        try await sink.close()
        // s_server writes what it read when the connection ends and it exits.
        let deadline = Date().addingTimeInterval(10)
        while server.isRunning && Date() < deadline { usleep(50_000) }
        let received = (try? Data(contentsOf: URL(fileURLWithPath: output))) ?? Data()
        withExtendedLifetime(stdin) {}
        var expected: [UInt8] = []
        for i in 0..<batch.count {
            let record = batch.record(i)
            expected += Array("\(record.count) ".utf8) + record
        }
        #expect(Array(received) == expected)
    }
}
