/// Why `/healthz` says degraded. The raw value starts the reason line (`fetch failing: …`).
public enum HealthProblem: String, CaseIterable, Sendable {
    /// No pass has finished since the daemon started.
    case starting = "starting"
    /// The remote could not be cloned or fetched.
    case fetchFailing = "fetch failing"
    /// The branch's specs do not validate; nothing is applied until they are fixed.
    case specInvalid = "spec invalid"
    /// Every push of the last pass was refused (the remote kept moving).
    case pushRejected = "push rejected"
    /// The webhook step failed or has failed jobs.
    case deliveriesFailing = "deliveries failing"
    /// Another rotor held the state store's lock during the last pass.
    case locked = "store locked"
    /// The last pass failed for another reason (gpg, the store, git).
    case applyFailing = "apply failing"
}

/// What `/healthz` answers: ok, or degraded with one line per problem.
public struct Health: Sendable, Equatable {
    /// The problems, in a stable order; empty when healthy.
    public var problems: [(HealthProblem, String)]

    /// Whether nothing is wrong.
    public var isHealthy: Bool { problems.isEmpty }

    /// `ok`, or `degraded` followed by one `<problem>: <detail>` line per problem (newlines in a detail become spaces).
    public var text: String {
        guard !isHealthy else { return "ok\n" }
        return "degraded\n" + problems.map { "\($0.0.rawValue): \($0.1.split(whereSeparator: \.isNewline).joined(separator: " "))\n" }.joined()
    }

    /// Same problems with the same details, in the same order.
    public static func == (lhs: Health, rhs: Health) -> Bool {
        lhs.problems.map(\.0) == rhs.problems.map(\.0) && lhs.problems.map(\.1) == rhs.problems.map(\.1)
    }
}
