/// The one error family of SIEMExport: every case carries what went wrong and where.
///
/// The CLI prints `error: <what> (<where>)` and exits with `exitCode`, so scripts and
/// cron wrappers can tell a bad config from an unreachable SIEM without parsing text.
public enum SIEMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A config problem found while reading or assembling; `location` is `file:line:col` or a path.
    case config(location: String, message: String)
    /// A plugin option failed its own `validate()`; the host adds the config location.
    case invalidOption(key: String, message: String)
    /// The source database is missing, unreadable, not SQLite, or lacks what we need.
    case source(path: String, message: String)
    /// A row that cannot be turned into an event without inventing or losing data.
    case badRow(id: Int64, message: String)
    /// An output (file, stdout) could not be opened or written.
    case output(path: String, message: String)
    /// A sink could not deliver; `retryable` says whether trying again may help.
    case delivery(sink: String, message: String, retryable: Bool)
    /// The checkpoint state file could not be read or written.
    case checkpoint(path: String, message: String)
    /// Another process holds what this one needs (a run on the same checkpoint file).
    case locked(path: String, message: String)
    /// The command line itself is wrong.
    case usage(String)

    public var what: String {
        switch self {
        case .config(_, let m), .invalidOption(_, let m), .source(_, let m), .badRow(_, let m),
            .output(_, let m), .delivery(_, let m, _), .checkpoint(_, let m), .locked(_, let m):
            return m
        case .usage(let m):
            return m
        }
    }

    public var location: String? {
        switch self {
        case .config(let l, _): return l
        case .invalidOption(let k, _): return k
        case .source(let p, _): return p
        case .badRow(let id, _): return "events row id \(id)"
        case .output(let p, _): return p
        case .delivery(let s, _, _): return "sink \(s)"
        case .checkpoint(let p, _): return p
        case .locked(let p, _): return p
        case .usage: return nil
        }
    }

    public var description: String {
        if let location { return "\(what) (\(location))" }
        return what
    }

    /// sysexits(3)-style codes: 78 EX_CONFIG, 66 EX_NOINPUT, 65 EX_DATAERR, 73 EX_CANTCREAT,
    /// 75 EX_TEMPFAIL (retry later, also: another run holds the checkpoint), 74 EX_IOERR, 64 EX_USAGE.
    public var exitCode: Int32 {
        switch self {
        case .config, .invalidOption: return 78
        case .source: return 66
        case .badRow: return 65
        case .output: return 73
        case .delivery(_, _, let retryable): return retryable ? 75 : 69
        case .checkpoint: return 74
        case .locked: return 75
        case .usage: return 64
        }
    }
}

extension SIEMError {
    /// Why a row cannot become an event, nil for every other error.
    public var badRowReason: String? {
        if case .badRow(_, let message) = self { return message }
        return nil
    }
}
