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

    public init(
        file: String, line: Int? = nil, column: Int? = nil, path: String, message: String, isWarning: Bool = false
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.isWarning = isWarning
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return "\(location): \(isWarning ? "warning" : "error"): \(path.isEmpty ? "" : path + ": ")\(message)"
    }
}

/// Every problem found in a config, reported together so one edit fixes them all.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    /// EX_CONFIG.
    public static let exitCode: Int32 = 78
}
