import Foundation
import RotorStore
#if canImport(Glibc)
import Glibc
#endif

/// Whether the process that claimed a job still exists, so a crashed owner's jobs are taken
/// back at once instead of after the lease. Only owners on this host can be checked; for
/// others (and for a live pid) the lease decides.
public enum ProcessLiveness {
    /// This process, as a job owner.
    public static var current: JobOwner { JobOwner(host: hostName, pid: getpid()) }

    /// This host's name, read once: Foundation's `hostName` asks the resolver on every call,
    /// and a claim checks every running job's owner.
    static let hostName = ProcessInfo.processInfo.hostName

    /// True when `owner` ran on this host and no process with its pid exists any more.
    public static func isGone(_ owner: JobOwner) -> Bool {
        guard owner.host == hostName, owner.pid > 0 else { return false }
        return kill(owner.pid, 0) != 0 && errno == ESRCH
    }
}
