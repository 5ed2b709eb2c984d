import Foundation

/// Starts the test harnesses' child processes one at a time, and lets librdkafka's mock cluster
/// hold them off while it takes a broker down.
///
/// A child holds a copy of every descriptor of this process from its fork until its exec,
/// close-on-exec or not. The mock, taking a broker down, closes the broker's listening socket and
/// at once binds its port again (to keep it), and aborts the whole test process when that bind
/// fails (an assertion in rd_kafka_mock_broker_cmd, librdkafka 2.0.2): a child forked in between
/// still holds the listening socket, and the bind fails with "Address already in use". glibc's
/// `posix_spawn` (what `Process.run` uses) returns once the child has exec'd, so a launch that
/// holds this lock leaves no such copy behind.
public enum ChildProcessLaunch {
    private static let lock = NSLock()

    /// `process.run()`, never at the same time as `withoutLaunches`.
    public static func run(_ process: Process) throws {
        try lock.withLock { try process.run() }
    }

    /// `body` while no child process is being started.
    public static func withoutLaunches<T>(_ body: () throws -> T) rethrows -> T {
        try lock.withLock { try body() }
    }
}
