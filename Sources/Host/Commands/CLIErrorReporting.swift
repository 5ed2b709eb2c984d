import ArgumentParser
import Foundation
import SIEMCore

/// Prints failures the way every command does: one `error: <what> (<where>)` line per problem on
/// standard error (config errors as `file:line:col: error: …`), then exits with a sysexits code.
enum CLIErrorReporting {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let errors as ConfigErrors {
            for diagnostic in errors.diagnostics { StandardError.print(diagnostic.description) }
            throw ExitCode(ConfigErrors.exitCode)
        } catch let error as SIEMError {
            StandardError.print("error: \(error.description)")
            throw ExitCode(error.exitCode)
        } catch let error as ExitCode {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode.failure
        }
    }
}

enum StandardError {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
