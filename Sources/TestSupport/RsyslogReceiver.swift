import Foundation

/// A real rsyslog daemon (Debian's `rsyslog`) on 127.0.0.1, started for a test: it receives
/// syslog over TCP (octet counting) and UDP, parses RFC 5424 including structured data
/// (`mmpstrucdata`), and writes what it parsed, one message per line, for the test to read.
public final class RsyslogReceiver {
    public let tcpPort: Int
    public let udpPort: Int
    private let directory: String
    private let process: Process

    /// One received message as rsyslog understood it.
    public struct Message {
        public var pri: String
        public var version: String
        public var timestamp: String
        public var hostname: String
        public var appName: String
        public var procID: String
        public var msgID: String
        /// `$!rfc5424-sd`: SD-ID → param name → value, unescaped by rsyslog.
        public var structuredData: [String: [String: String]]
        public var msg: String
    }

    static let separator = "<~|~>"

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rsyslog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        udpPort = try LoopbackPort.freeUDP()
        let fields = ["pri", "protocol-version", "timereported", "hostname", "app-name", "procid", "msgid"]
        let template =
            fields.map {
                $0 == "timereported"
                    ? #"property(name="timereported" dateFormat="rfc3339") constant(value="\#(Self.separator)")"#
                    : #"property(name="\#($0)") constant(value="\#(Self.separator)")"#
            }.joined(separator: "\n")
            + #"property(name="$!") constant(value="\#(Self.separator)") property(name="msg") constant(value="\n")"#
        let config = """
            global(workDirectory="\(directory)" maxMessageSize="64k")
            module(load="imtcp")
            module(load="imudp")
            module(load="mmpstrucdata")
            template(name="parsed" type="list") {
            \(template)
            }
            input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="\(directory)/tcp-port")
            input(type="imudp" address="127.0.0.1" port="\(udpPort)")
            action(type="mmpstrucdata" sd_name.lowercase="off")
            action(type="omfile" file="\(directory)/received.txt" template="parsed")
            """
        try config.write(toFile: directory + "/rsyslog.conf", atomically: false, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/rsyslogd")
        process.arguments = ["-n", "-f", directory + "/rsyslog.conf", "-i", directory + "/rsyslog.pid"]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try ChildProcessLaunch.run(process)
        let deadline = Date().addingTimeInterval(10)
        var port: Int?
        while port == nil && Date() < deadline {
            port = (try? String(contentsOfFile: directory + "/tcp-port", encoding: .utf8)).flatMap {
                Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if port == nil { usleep(20_000) }
        }
        guard let port else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "rsyslogd did not start"])
        }
        tcpPort = port
        usleep(200_000)  // the UDP listener comes up with the TCP one; give both a moment
    }

    deinit { stop() }

    /// SIGKILL: a child started from a test's thread inherits its blocked-signal mask, so the
    /// daemon may never see SIGTERM.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Waits until `count` messages are written (rsyslog writes asynchronously), then returns them.
    public func messages(waitingFor count: Int, seconds: Double = 10) -> [Message] {
        let deadline = Date().addingTimeInterval(seconds)
        var lines: [String] = []
        while Date() < deadline {
            let text = (try? String(contentsOfFile: directory + "/received.txt", encoding: .utf8)) ?? ""
            lines = text.split(separator: "\n").map(String.init)
            if lines.count >= count { break }
            usleep(50_000)
        }
        return lines.compactMap { line in
            let parts = line.components(separatedBy: Self.separator)
            guard parts.count == 9 else { return nil }
            let sd =
                (try? JSONSerialization.jsonObject(with: Data(parts[7].utf8)) as? [String: Any])?["rfc5424-sd"]
                as? [String: [String: String]] ?? [:]
            return Message(
                pri: parts[0], version: parts[1], timestamp: parts[2], hostname: parts[3], appName: parts[4],
                procID: parts[5], msgID: parts[6], structuredData: sd, msg: parts[8])
        }
    }
}
