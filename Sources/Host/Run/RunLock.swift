import Foundation
import SIEMCore

#if canImport(Glibc)
    import Glibc
#endif

/// One `run` per checkpoint file at a time: two runs on the same checkpoints would send the
/// same rows twice and race on the checkpoint. An exclusive `flock` on `<state file>.lock`,
/// held for the life of the process (the kernel releases it however the process ends, even
/// SIGKILL), with the holder's pid written inside so the refusal can name it.
final class RunLock {
    let path: String
    private let fd: Int32

    init(checkpointPath: String) throws {
        path = checkpointPath + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SIEMError.checkpoint(
                path: path, message: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder =
                (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw SIEMError.locked(
                path: checkpointPath,
                message:
                    "another siem-export run\(holder.isEmpty ? "" : " (pid \(holder))") is using this checkpoint file; wait for it to finish"
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
