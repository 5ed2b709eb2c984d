import ArgumentParser
import Foundation
import Logging
import SIEMCore

/// Prints failures the way every command does: one `error: <what> (<where>)` line per problem on
/// standard error (config errors as `file:line:col: error: …`), then exits with a sysexits code.
enum CLIErrorReporting {
    /// With a logger, errors go through it (so `--log-format json` makes them JSON too); the
    /// text form is the same `error: …` line.
    static func run(logger: Logger? = nil, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            // The error line must not be drawn over by the status line.
            TerminalStatusLine.shared.stop()
            try report(error, logger: logger)
        }
    }

    private static func report(_ error: any Error, logger: Logger?) throws {
        do {
            throw error
        } catch let errors as ConfigErrors {
            for diagnostic in errors.diagnostics {
                if let logger, (logger.handler as? StderrLogHandler)?.format == .json {
                    logger.error("\(diagnostic.description)", metadata: ["exit_code": "\(errors.exitCode)"])
                } else {
                    StandardError.print(diagnostic.description)
                }
            }
            throw ExitCode(errors.exitCode)
        } catch let error as SIEMError {
            if let logger, (logger.handler as? StderrLogHandler)?.format == .json {
                logger.error("\(error.description)", metadata: ["exit_code": "\(error.exitCode)"])
            } else {
                StandardError.print("error: \(error.description)")
            }
            throw ExitCode(error.exitCode)
        } catch is StandardOutputClosed {
            // `… | head` read what it wanted: end quietly, as Unix tools do.
            throw ExitCode.success
        } catch let error as ExitCode {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode(ExitCodes.internalError.value)
        }
    }
}

/// Standard error, for lines that are not log records; redacted like every output, and written
/// above the live status line when one is shown.
enum StandardError {
    static func print(_ text: String, terminator: String = "\n") {
        TerminalStatusLine.shared.write(OutputRedaction.shared.apply(text) + terminator)
    }
}
