import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// OpenSSH's `sshd` on 127.0.0.1 with a throwaway host key, letting in two throwaway client keys
/// (one protected by a passphrase): git over SSH to any repository path on this machine, as the
/// user running the tests. `home` is a HOME whose `.ssh/known_hosts` knows the host key.
public final class SSHRemote: Sendable {
    /// The port it listens on.
    public let port: Int
    /// The user the URLs log in as (the one running the tests).
    public let user: String
    /// A private key file without a passphrase.
    public let plainKey: String
    /// A private key file protected by ``passphrase``.
    public let protectedKey: String
    /// The passphrase of ``protectedKey``.
    public let passphrase = "canary-ssh-passphrase-2741"
    /// A HOME whose `.ssh/known_hosts` holds the server's host key (libgit2 checks it).
    public let home: String
    /// A HOME with no `.ssh` at all.
    public let strangerHome: String
    private let directory: TemporaryDirectory
    /// sshd's process id. Started with posix_spawn, not Foundation's `Process`: sshd closes every
    /// descriptor it inherits, which `Process` takes for the child's exit, and it then blocks its
    /// monitoring thread in `waitpid` until sshd really exits (stalling every other `Process`).
    private let pid: pid_t
    /// ssh-agents started by ``agent()`` (spawned the same way: a daemonizing ssh-agent keeps
    /// the descriptor `Process` watches, so `Process` would wait for it forever).
    private let agents = Mutex<[pid_t]>([])

    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw FixtureError("/usr/sbin/sshd is missing: scripts/install-deps installs openssh-server")
        }
        directory = try TemporaryDirectory(prefix: "ssh")
        user = String(cString: getpwuid(geteuid()).pointee.pw_name)
        let hostKey = directory.path("host_ed25519")
        plainKey = directory.path("client_plain")
        protectedKey = directory.path("client_protected")
        for (path, phrase) in [(hostKey, ""), (plainKey, ""), (protectedKey, passphrase)] {
            let made = try Shell.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", phrase, "-C", "rotor-test", "-f", path])
            guard made.status == 0 else { throw FixtureError("ssh-keygen failed: \(made.stderr)") }
        }
        let authorized = try [plainKey, protectedKey].map { try String(contentsOfFile: $0 + ".pub", encoding: .utf8) }.joined()
        try authorized.write(toFile: directory.path("authorized_keys"), atomically: true, encoding: .utf8)
        // sshd refuses to start without its privilege separation folder when run as root.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)

        port = try Loopback.freePort()
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            AuthorizedKeysFile \(directory.path("authorized_keys"))
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            PidFile \(directory.path("sshd.pid"))

            """
        try config.write(toFile: directory.path("sshd_config"), atomically: true, encoding: .utf8)
        pid = try Self.spawn("/usr/sbin/sshd", ["-D", "-f", directory.path("sshd_config"), "-E", directory.path("sshd.log")])

        home = directory.path("home")
        strangerHome = directory.path("stranger")
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: strangerHome, withIntermediateDirectories: true)
        let hostPublic = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(port) \(hostPublic)\n".write(toFile: home + "/.ssh/known_hosts", atomically: true, encoding: .utf8)

        // Ready once it accepts a connection.
        let deadline = Date().addingTimeInterval(10)
        while !Loopback.accepts(port: port) {
            guard isRunning, Date() < deadline else {
                stop()
                throw FixtureError("sshd did not start: \(log)")
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    /// The `ssh://` URL of the repository at the absolute path `path`.
    public func url(_ path: String) -> String { "ssh://\(user)@127.0.0.1:\(port)\(path)" }

    /// What sshd logged (accepted and refused logins).
    public var log: String { (try? String(contentsOfFile: directory.path("sshd.log"), encoding: .utf8)) ?? "" }

    /// Starts an ssh-agent holding ``plainKey``; returns its socket (for `SSH_AUTH_SOCK`).
    public func agent() throws -> String {
        let socket = directory.path("agent-\(agents.withLock { $0.count }).sock")
        let agent = try Self.spawn("/usr/bin/ssh-agent", ["-D", "-a", socket])
        agents.withLock { $0.append(agent) }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) {
            guard Date() < deadline else { throw FixtureError("ssh-agent did not start") }
            usleep(20_000)
        }
        let added = try Shell.run("ssh-add", ["-q", plainKey], environment: ["SSH_AUTH_SOCK": socket])
        guard added.status == 0 else { throw FixtureError("ssh-add failed: \(added.stderr)") }
        return socket
    }

    /// Stops the server and its agents (they are stopped on release too).
    public func stop() {
        agents.withLock { agents in
            agents.forEach(Self.terminate)
            agents = []
        }
        if isRunning { Self.terminate(pid) }
    }

    private static func terminate(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    private var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Starts `executable` with `arguments`, its standard streams on /dev/null.
    static func spawn(_ executable: String, _ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard code == 0 else { throw FixtureError("cannot start \(executable): \(String(cString: strerror(code)))") }
        return pid
    }
}
