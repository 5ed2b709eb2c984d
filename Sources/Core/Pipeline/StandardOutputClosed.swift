/// Standard output was closed by its reader (`siem-export export | head`): not a failure, the
/// reader has what it wanted, so the command ends quietly with 0 as Unix tools do. Only the
/// stdout sink throws it; a file sink's broken pipe (a FIFO whose reader went away) stays an
/// output error.
public struct StandardOutputClosed: Error, Sendable {
    public init() {}
}
