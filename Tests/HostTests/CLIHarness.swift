import Foundation
import SIEMTestSupport

/// Runs the built `siem-export` binary as a user would, capturing both streams and the exit code.
struct CLIHarness {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The binary beside the test bundle in the build folder (`swift build` puts them together).
    static var binary: String {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("siem-export").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("siem-export").path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "siem-export"
            ).path,
            RepositoryPaths.root.appendingPathComponent(".build/debug/siem-export").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    /// Removed with its databases and outputs when the test's last copy of the harness goes.
    let temporary: TemporaryDirectory
    var directory: URL { temporary.url }

    init() throws {
        temporary = try TemporaryDirectory("siem-cli")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts the binary without waiting; its output goes to `stdout.txt`/`stderr.txt` here.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: path("stdout.txt"), contents: nil)
        _ = FileManager.default.createFile(atPath: path("stderr.txt"), contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path("stdout.txt")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: path("stderr.txt")))
        process.standardInput = FileHandle.nullDevice
        try ChildProcessLaunch.run(process)
        return process
    }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], shellPrefix: String? = nil) throws -> Result {
        let executable: String
        let processArguments: [String]
        if let shellPrefix {
            executable = "/bin/bash"
            let quoted = ([Self.binary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            processArguments = ["-c", shellPrefix + " exec " + quoted.joined(separator: " ")]
        } else {
            executable = Self.binary
            processArguments = arguments
        }
        let result = try ExternalTool.run(
            processArguments, executable: executable, directory: directory, environment: environment)
        // Both streams must be UTF-8: the tool never writes anything else.
        guard let stdout = String(data: result.stdout, encoding: .utf8),
            let stderr = String(data: result.stderrBytes, encoding: .utf8)
        else { throw CocoaError(.fileReadInapplicableStringEncoding) }
        return Result(status: result.status, stdout: stdout, stderr: stderr)
    }
}
