import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program with its standard error on a pseudo-terminal the test opens (posix_openpt),
/// so it sees a terminal as it would in an operator's shell, and returns every byte it wrote
/// there: escape sequences included.
public enum PseudoTerminal {
    public struct Result: Sendable {
        public var status: Int32
        /// What the program wrote to the terminal (standard error).
        public var terminal: String
        /// Standard output, which went to a file.
        public var stdout: Data
    }

    public static func run(
        _ executable: String, _ arguments: [String], directory: URL, columns: UInt16 = 200
    ) throws -> Result {
        let master = Terminals.openMaster(O_RDWR | O_NOCTTY)
        guard master >= 0, Terminals.grant(master) == 0, Terminals.unlock(master) == 0,
            let name = Terminals.slaveName(master)
        else { throw POSIXError(.ENXIO) }
        defer { close(master) }
        let slave = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw POSIXError(.ENXIO) }
        var size = winsize(ws_row: 40, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)

        let outURL = directory.appendingPathComponent("pty-stdout-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = FileHandle(fileDescriptor: slave, closeOnDealloc: false)

        // Read while it runs: a full terminal buffer would block the program.
        let collected = Collected()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }  // EIO once every copy of the other end is closed
                collected.append(buffer[0..<n])
            }
            collected.finish()
        }
        try process.run()
        close(slave)
        reader.start()
        process.waitUntilExit()
        collected.wait()
        return Result(
            status: process.terminationStatus, terminal: String(decoding: collected.bytes, as: UTF8.self),
            stdout: try Data(contentsOf: outURL))
    }

    /// glibc's pseudo-terminal calls, which Swift's Glibc module leaves out (they sit behind
    /// `_XOPEN_SOURCE` in stdlib.h), looked up at run time.
    enum Terminals {
        static func function<T>(_ name: String, as type: T.Type) -> T {
            let handle = dlopen(nil, RTLD_NOW)
            guard let symbol = dlsym(handle, name) else { fatalError("libc has no \(name)") }
            return unsafeBitCast(symbol, to: type)
        }
        static let openMaster = function("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
        static let grant = function("grantpt", as: (@convention(c) (Int32) -> Int32).self)
        static let unlock = function("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
        static let slaveName = function("ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
    }

    final class Collected: @unchecked Sendable {
        private let condition = NSCondition()
        private var done = false
        private(set) var bytes: [UInt8] = []

        func append(_ more: ArraySlice<UInt8>) { condition.withLock { bytes += more } }

        func finish() {
            condition.withLock {
                done = true
                condition.broadcast()
            }
        }

        func wait() {
            condition.lock()
            while !done { condition.wait() }
            condition.unlock()
        }
    }
}
