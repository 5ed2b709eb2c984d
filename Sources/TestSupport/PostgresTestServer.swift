import CPostgres
import Foundation

/// A real PostgreSQL 15 server for a test: `initdb` into a temporary directory, `postgres`
/// listening on 127.0.0.1 at a free port and on a Unix socket in that directory, a password role
/// (`scram-sha-256` for TCP, `trust` on the socket; allowed to replicate) and one database per
/// test. `wal_level = logical`, so tests can decode changes from a replication slot.
///
/// `initdb` and `postgres` refuse to run as root, and CI runs as root: then both run as the
/// `postgres` system user (`runuser`), owning the directory. The server runs under a small shell
/// that holds the read end of a pipe and stops the server (immediate shutdown) when it closes, so
/// a test process that crashes or exits without cleaning up still takes its server with it. The
/// shared server (`shared()`), never deinitialized, relies on exactly that at process exit.
public final class PostgresTestServer: @unchecked Sendable {
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// The role tests read and write as; it owns the databases it is given.
    public let user = "siem"
    public let password: String
    public let port: Int
    /// The directory holding the Unix socket, a libpq `host` value.
    public var socketDirectory: String { directory.path }
    private let directory: TemporaryDirectory
    private var dataDirectory: String { directory.path + "/data" }
    private let lock = NSLock()
    private var runner: Process?
    private var control: FileHandle?
    private var databaseCount = 0

    /// One server per `group` for a whole test process: tests take a database each
    /// (`makeDatabase`). A group of its own suits tests that must not see other tests' open
    /// transactions: those hold back every snapshot's `xmin` across the cluster.
    public static func shared(_ group: String = "default") throws -> PostgresTestServer {
        sharedServersLock.lock()
        defer { sharedServersLock.unlock() }
        if let server = sharedServers[group] { return try server.get() }
        let server = Result { try PostgresTestServer() }
        sharedServers[group] = server
        return try server.get()
    }
    private static let sharedServersLock = NSLock()
    nonisolated(unsafe) private static var sharedServers: [String: Result<PostgresTestServer, any Error>] = [:]

    /// Server settings beyond the harness's own (`-c name=value` for `postgres`).
    private let settings: [String]

    /// A new cluster; `standbyOf` makes it a hot standby streaming from that server instead;
    /// `tls` turns TLS on with that server certificate (for 127.0.0.1) besides plain connections.
    public init(standbyOf primary: PostgresTestServer? = nil, tls: TestCertificates? = nil) throws {
        directory = try TemporaryDirectory("postgres-test")
        var settings: [String] = []
        if let tls {
            // The server insists that its key belong to it and be readable by nobody else.
            for (source, name) in [(tls.certificateFile, "server.pem"), (tls.keyFile, "server.key")] {
                let copy = directory.path + "/" + name
                try FileManager.default.copyItem(atPath: source, toPath: copy)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: copy)
                if Self.runsAsRoot {
                    try FileManager.default.setAttributes(
                        [.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: copy)
                }
            }
            settings += [
                "-c", "ssl=on", "-c", "ssl_cert_file=\(directory.path)/server.pem",
                "-c", "ssl_key_file=\(directory.path)/server.key",
            ]
        }
        self.settings = settings
        password = primary?.password ?? "pw-\(UUID().uuidString.prefix(8))"
        if Self.runsAsRoot {
            try FileManager.default.setAttributes(
                [.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: directory.path)
        }
        if let primary {
            // A base backup with -R writes standby.signal and primary_conninfo: a streaming
            // replica, read-only while it replays the primary's WAL.
            try Self.runAsServerUser(
                [
                    "\(Self.binaries)/pg_basebackup", "-D", directory.path + "/data", "-h", primary.socketDirectory,
                    "-p", String(primary.port), "-U", "postgres", "-X", "stream", "-R", "--no-sync",
                    "--checkpoint=fast",
                ])
        } else {
            try Self.runAsServerUser(
                [
                    "\(Self.binaries)/initdb", "-D", directory.path + "/data", "-U", "postgres", "--auth-local=trust",
                    "--auth-host=scram-sha-256", "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C",
                ])
        }
        port = try LoopbackPort.freeTCP()
        try start()
        if primary == nil {
            let admin = try Session(host: socketDirectory, port: port, database: "postgres", user: "postgres")
            try admin.execute("CREATE ROLE \(user) LOGIN REPLICATION PASSWORD '\(password)'")
        }
    }

    deinit { stop(keepingData: false) }

    /// Starts `postgres` on `port` and waits until it accepts connections (a standby: until it
    /// has reached a consistent state and accepts reads).
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        guard runner == nil else { return }
        let script = """
            bin=$1 data=$2 port=$3 base=$4
            shift 4
            "$bin/postgres" -D "$data" -p "$port" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$base" \
              -c fsync=off -c full_page_writes=off -c max_connections=60 -c hot_standby_feedback=on \
              -c wal_level=logical "$@" &
            pid=$!
            read -r word
            kill -QUIT "$pid" 2>/dev/null
            wait "$pid"
            [ "$word" = keep ] || rm -rf "$base"
            """
        let process = Process()
        let shell =
            ["/bin/sh", "-c", script, "sh", Self.binaries, dataDirectory, String(port), socketDirectory] + settings
        if Self.runsAsRoot {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--"] + shell
        } else {
            process.executableURL = URL(fileURLWithPath: shell[0])
            process.arguments = Array(shell.dropFirst())
        }
        let pipe = Pipe()
        process.standardInput = pipe
        let log = directory.path + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        logHandle.seekToEndOfFile()
        process.standardOutput = logHandle
        process.standardError = logHandle
        try Self.runWithNoSignalsBlocked(process)
        try? logHandle.close()
        runner = process
        control = pipe.fileHandleForWriting
        let deadline = Date().addingTimeInterval(30)
        let conninfo = "host=\(socketDirectory) port=\(port) dbname=postgres user=postgres connect_timeout=2"
        while PQping(conninfo) != PQPING_OK {
            guard process.isRunning, Date() < deadline else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw Failure(message: "postgres did not start on port \(port): \(text.suffix(2_000))")
            }
            usleep(10_000)
        }
    }

    /// Immediate shutdown (no checkpoint: the next start runs crash recovery, like a real crash).
    /// `keepingData` false also removes the cluster and its directory.
    public func stop(keepingData: Bool = true) {
        lock.lock()
        defer { lock.unlock() }
        guard let runner, let control else { return }
        if keepingData { try? control.write(contentsOf: Data("keep\n".utf8)) }
        try? control.close()
        runner.waitUntilExit()
        self.runner = nil
        self.control = nil
    }

    /// Stops the server abruptly and starts it again on the same port: open sessions break,
    /// committed data stays.
    public func restart() throws {
        stop(keepingData: true)
        try start()
    }

    /// A fresh database owned by `user`, for one test.
    public func makeDatabase() throws -> String {
        let name = lock.withLock { () -> String in
            databaseCount += 1
            return "test_\(databaseCount)_\(UUID().uuidString.prefix(6).lowercased())"
        }
        let admin = try Session(host: socketDirectory, port: port, database: "postgres", user: "postgres")
        try admin.execute("CREATE DATABASE \(name) OWNER \(user)")
        return name
    }

    /// A libpq URL for `database` over TCP, without the password (it goes separately).
    public func url(database: String) -> String { "postgresql://\(user)@127.0.0.1:\(port)/\(database)" }

    /// A session over the Unix socket (trust), as `user` unless told otherwise: a test's writer.
    public func session(database: String, user: String? = nil) throws -> Session {
        try Session(host: socketDirectory, port: port, database: database, user: user ?? self.user)
    }

    /// A plain libpq session for tests to write with and inspect through, independent of the
    /// code under test. Each statement's rows come back as text.
    public final class Session {
        private let handle: OpaquePointer

        public init(host: String, port: Int, database: String, user: String, password: String? = nil) throws {
            var conninfo = "host='\(host)' port=\(port) dbname='\(database)' user='\(user)' connect_timeout=5"
            if let password { conninfo += " password='\(password)'" }
            guard let handle = PQconnectdb(conninfo) else { throw Failure(message: "libpq could not allocate") }
            guard PQstatus(handle) == CONNECTION_OK else {
                let message = String(cString: PQerrorMessage(handle))
                PQfinish(handle)
                throw Failure(message: message)
            }
            self.handle = handle
        }

        deinit { PQfinish(handle) }

        /// Runs `sql` (several statements may be `;`-separated); the last statement's rows.
        @discardableResult
        public func execute(_ sql: String) throws -> [[String?]] {
            guard let result = PQexec(handle, sql) else {
                throw Failure(message: String(cString: PQerrorMessage(handle)))
            }
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
                throw Failure(message: String(cString: PQresultErrorMessage(result)))
            }
            return (0..<PQntuples(result)).map { row in
                (0..<PQnfields(result)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                }
            }
        }

        /// The first column of the first row.
        public func scalar(_ sql: String) throws -> String? { try execute(sql).first?.first ?? nil }

        /// The server process serving this session, to find it in `pg_stat_activity`/`pg_locks`.
        public var backendPID: Int32 { PQbackendPID(handle) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }

    private static var runsAsRoot: Bool { getuid() == 0 }

    /// Starts `process` from a thread that blocks no signal. A child inherits the signal mask of
    /// the thread that spawns it, and a test's threads block nearly all; the wrapper shell then
    /// never sees SIGCHLD and its `wait` for the stopped server hangs for ever.
    private static func runWithNoSignalsBlocked(_ process: Process) throws {
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome()
        let started = DispatchSemaphore(value: 0)
        let thread = Thread {
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            do { try ChildProcessLaunch.run(process) } catch { outcome.error = error }
            started.signal()
        }
        thread.start()
        started.wait()
        if let error = outcome.error { throw error }
    }

    /// Runs a PostgreSQL tool, as the `postgres` user when this process is root.
    private static func runAsServerUser(_ arguments: [String]) throws {
        let command = runsAsRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments : arguments
        let result = try ExternalTool.run(Array(command.dropFirst()), executable: command[0])
        guard result.status == 0 else {
            throw Failure(message: "\(arguments[0]) failed (\(result.status)): \(result.stderr.suffix(2_000))")
        }
    }
}
