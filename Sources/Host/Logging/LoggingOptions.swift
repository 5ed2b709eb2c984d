import ArgumentParser
import Logging

/// `--log-level` and `--log-format`, for the commands that run pipelines.
struct LoggingOptions: ParsableArguments {
    @Option(
        name: .customLong("log-level"),
        help: "Least severe level logged: trace, debug, info, notice, warning, error or critical.",
        transform: LoggingOptions.level(named:))
    var level: Logger.Level = .info

    @Option(name: .customLong("log-format"), help: "text (one line per event) or json (one JSON object per line).")
    var format: StderrLogHandler.Format = .text

    func makeLogger() -> Logger {
        let (format, level) = (self.format, self.level)
        var logger = Logger(label: "siem-export") { _ in StderrLogHandler(format: format, level: level) }
        logger.logLevel = level
        return logger
    }
}

extension LoggingOptions {
    /// Text lines at `info` and above: for commands without `--log-*` options (`export`).
    static func standardErrorLogger() -> Logger {
        var logger = Logger(label: "siem-export") { _ in StderrLogHandler(format: .text, level: .info) }
        logger.logLevel = .info
        return logger
    }

    /// swift-log's level names, read without conforming its type to argument-parser's protocol.
    static func level(named name: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: name) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--log-level '\(name)' is not one of \(names)")
        }
        return level
    }
}

extension StderrLogHandler.Format: ExpressibleByArgument {}
