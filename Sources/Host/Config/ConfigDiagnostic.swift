import SIEMCore

/// One problem in a config file, with where it is: `file:line:col: error: path: message`.
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    /// Where in the document, e.g. `pipelines[0].sink`.
    public var path: String
    public var message: String
    /// A warning is reported but does not stop the config from being used.
    public var isWarning = false
    /// 78 for a mistake in the config itself. A problem with what a right config names keeps the
    /// code of its kind (a database not there yet 66, an output directory missing 73): it may
    /// heal without an edit, and a supervisor restarts on those codes but not on 78.
    public var exitCode: Int32 = ConfigErrors.configMistake

    public init(
        file: String, line: Int? = nil, column: Int? = nil, path: String, message: String, isWarning: Bool = false,
        exitCode: Int32 = ConfigErrors.configMistake
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.isWarning = isWarning
        self.exitCode = exitCode
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return "\(location): \(isWarning ? "warning" : "error"): \(path.isEmpty ? "" : path + ": ")\(message)"
    }
}

extension Array where Element == ConfigDiagnostic {
    /// In the file's order, so an operator reads them top to bottom.
    var inFileOrder: [ConfigDiagnostic] {
        sorted { ($0.line ?? 0, $0.column ?? 0) < ($1.line ?? 0, $1.column ?? 0) }
    }
}

/// Every problem found in a config, reported together so one edit fixes them all.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    /// EX_CONFIG.
    public static let configMistake: Int32 = 78

    /// 78 when any error is a mistake in the config (an edit is needed, whatever else is wrong);
    /// else the code of the first error (66, 73: what the config names is not there yet).
    public var exitCode: Int32 {
        let errors = diagnostics.filter { !$0.isWarning }
        if errors.isEmpty || errors.contains(where: { $0.exitCode == Self.configMistake }) { return Self.configMistake }
        return errors[0].exitCode
    }
}
