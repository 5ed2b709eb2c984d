/// Every exit code the commands use, with its meaning, so each command's `--help` lists the
/// ones it can return and the root's lists them all (docs/CONFIG.md has the same table).
enum ExitCodes {
    struct Code {
        let value: Int32
        let meaning: String
    }

    static let done = Code(value: 0, meaning: "done")
    /// `diff`'s and `cmp`'s code for "they differ": not a failure of the tool.
    static let differs = Code(
        value: 1, meaning: "golden: output differs from the golden file, or a template test fails")
    static let usage = Code(value: 64, meaning: "bad command line")
    static let dataSetAside = Code(
        value: 65, meaning: "export: rows or events were dead-lettered; all others were exported")
    static let noInput = Code(value: 66, meaning: "the source database or an input file is missing or unreadable")
    static let refused = Code(value: 69, meaning: "a receiver refused the data or the credentials")
    static let cannotCreate = Code(
        value: 73, meaning: "an output cannot be created or written, or exists (--append, --force)")
    static let stateFile = Code(value: 74, meaning: "the checkpoint state file cannot be read or written")
    static let tryAgain = Code(
        value: 75,
        meaning: "try again later: receiver down or busy after retries; state file locked")
    static let config = Code(value: 78, meaning: "the config is wrong (every problem listed)")
    /// EX_SOFTWARE: an error no case of `SIEMError` names.
    static let internalError = Code(value: 70, meaning: "internal error (a bug: please report it)")

    static let all = [
        done, differs, usage, dataSetAside, noInput, refused, internalError, cannotCreate, stateFile, tryAgain, config,
    ]

    /// The `EXIT CODES` section of a command's help.
    static func help(_ codes: [Code], note: String? = nil) -> String {
        var text = (note.map { $0 + "\n\n" } ?? "") + "EXIT CODES:\n"
        for code in codes {
            text += "  \(String(code.value).padding(toLength: 4, withPad: " ", startingAt: 0))\(code.meaning)\n"
        }
        return text
    }
}
