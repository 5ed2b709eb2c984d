import Foundation
import SIEMCore

#if canImport(Glibc)
    import Glibc
#endif

/// The live status line a long command keeps at the bottom of a terminal's standard error
/// (rows done, rate, bytes, elapsed, ETA), redrawn a few times a second and cleared at the end.
///
/// Every other line written to standard error (log records, `error: …`) goes through `write`,
/// which clears the status line, writes, and draws it again, so the two never mix. Nothing is
/// drawn unless standard error is a terminal: a log file or a pipe gets the same lines as before.
final class TerminalStatusLine: @unchecked Sendable {
    static let shared = TerminalStatusLine()

    /// Erase from the cursor to the end of the line (ECMA-48 EL, `CSI K`).
    static let eraseLine = "\u{1B}[K"
    static let redrawInterval = DispatchTimeInterval.milliseconds(250)

    private let lock = NSLock()
    private var render: (@Sendable () -> String)?
    private var shown = false
    private var timer: (any DispatchSourceTimer)?

    /// Standard error is a terminal that understands `CSI K` (not `TERM=dumb`).
    static var standardErrorIsTerminal: Bool {
        isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Shows `render()`'s text now and every `redrawInterval` until `stop()`; does nothing when
    /// `enabled` is false (`--quiet`, or standard error is not a terminal).
    func start(enabled: Bool = TerminalStatusLine.standardErrorIsTerminal, _ render: @escaping @Sendable () -> String) {
        guard enabled else { return }
        lock.withLock {
            self.render = render
            draw()
        }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        timer.schedule(deadline: .now() + Self.redrawInterval, repeating: Self.redrawInterval)
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.withLock { if self.render != nil { self.draw() } }
        }
        timer.resume()
        lock.withLock { self.timer = timer }
    }

    /// Clears the line and stops redrawing it; what follows (the closing summary) starts at the
    /// beginning of a clean line.
    func stop() {
        let timer = lock.withLock {
            let timer = self.timer
            self.timer = nil
            render = nil
            clear()
            return timer
        }
        timer?.cancel()
    }

    /// Writes `text` (whole lines) to standard error above the status line.
    func write(_ text: String) {
        lock.withLock {
            let redraw = shown
            clear()
            Self.writeAll(text)
            if redraw { draw() }
        }
    }

    private func draw() {
        guard let render else { return }
        let text = Self.fitted(OutputRedaction.shared.apply(render()), columns: Self.columns())
        Self.writeAll("\r" + text + Self.eraseLine)
        shown = true
    }

    private func clear() {
        guard shown else { return }
        Self.writeAll("\r" + Self.eraseLine)
        shown = false
    }

    /// Cut to one character less than the terminal is wide, so the line never wraps (a wrapped
    /// line could not be erased with one `CSI K`).
    static func fitted(_ text: String, columns: Int) -> String {
        let room = max(10, columns - 1)
        return text.count <= room ? text : String(text.prefix(room - 1)) + "…"
    }

    static func columns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func writeAll(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
