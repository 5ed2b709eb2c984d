import Foundation

/// Runs an independent tool a test checks our output with (python3 with a parser from PyPI,
/// openssl), the way a shell would: arguments looked up on PATH, optional standard input.
///
/// Standard output and error go to temporary files rather than pipes, so a tool that prints a
/// lot on one stream while the test waits on the other cannot deadlock the test.
public enum ExternalTool {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderrBytes: Data
        /// Standard error as text (invalid UTF-8 shown as U+FFFD).
        public var stderr: String { String(decoding: stderrBytes, as: UTF8.self) }
    }

    /// `executable` runs `arguments` (by default `env`, which looks the first one up on PATH), in
    /// `directory` when given, with `environment` added to this process's.
    public static func run(
        _ arguments: [String], input: Data? = nil, executable: String = "/usr/bin/env", directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("siem-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout")
        let errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try ChildProcessLaunch.run(process)
        if let input {
            stdin.fileHandleForWriting.write(input)
            try stdin.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
            stderrBytes: try Data(contentsOf: errURL))
    }
}
