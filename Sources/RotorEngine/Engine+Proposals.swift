import Foundation
import RotorCore
import RotorGit
import RotorSpecs

extension Engine {
    /// Where proposal branches live.
    public static let proposalsPrefix = "rotor/proposals/"

    /// Commits a spec change on a new branch, `rotor/proposals/<id>`, made from the head of
    /// HEAD's branch, and returns it with its pull-request plan.
    ///
    /// Desired state changes through git, always: the change is one commit for review, never a
    /// commit on the reconciled branch. The objects are written straight into the object
    /// database and only the new branch is created, so HEAD's branch, the index and the working
    /// tree stay as they are; no store is opened. The commit is signed when `rotor.yaml` has
    /// `signing.key`, as rotor's own commits are. The tree it would make is validated before the
    /// branch exists: a refused change leaves no branch (only unreferenced objects `git gc` prunes).
    ///
    /// New specs are written by ``SpecWriter``; a webhook change edits only the consumer entries
    /// of that service (see ``ConsumerWebhookEditor``, which keeps every other byte of each file
    /// unless the entry's form forces a re-render, listed in ``Proposal/rewritten``).
    ///
    /// - Parameters:
    ///   - change: What to change.
    ///   - reason: Why, for reviewers: the body of the commit message (required).
    ///   - now: The commit time, the id's timestamp and the instant the plan is made for.
    ///   - author: Who asks for the change; nil means the committer. The committer is
    ///     `rotor.yaml`'s `commitAuthor`, else `rotor <rotor@localhost>`.
    /// - Returns: The branch, its commit and its pull-request plan against HEAD's branch.
    /// - Throws: ``ProposalError`` when the change is refused (invalid, exists, not found, or
    ///   changes nothing); `EngineError` when HEAD is detached or the reconciled branch does not
    ///   validate; `GitError` when git fails.
    public func propose(_ change: ProposedChange, reason: String, now: Date, author: RepoConfig.Identity? = nil) throws -> Proposal {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ProposalError(.invalid, "a proposal needs a reason: reviewers read it in the commit message") }
        guard let baseBranch = try repository.headBranch() else {
            throw EngineError("HEAD is detached: check out the branch rotor reconciles, proposals are made against it")
        }
        let base = try head()
        let snapshot = try Snapshot.load(repository: repository, revision: base, cache: parseCache)
        guard let desired = snapshot.desired, !snapshot.hasErrors else {
            throw EngineError("\(Self.shortName(baseBranch)) does not validate at \(base.short): fix it before proposing changes\n"
                + snapshot.diagnostics.map { "  \($0)" }.joined(separator: "\n"))
        }
        let edit = try specEdit(for: change, desired: desired, base: base)
        let committer = desired.config.commitAuthor ?? RepoConfig.Identity(name: "rotor", email: "rotor@localhost")
        let identity = author ?? committer
        let message = "rotor proposal: \(change.title)\n\n\(reason)\n\nProposed-At: \(RFC3339.format(now))\n"
        let commit = try repository.createCommit(changes: edit.files, parent: base, message: message,
                                                 author: GitSignature(name: identity.name, email: identity.email, time: now),
                                                 committer: GitSignature(name: committer.name, email: committer.email, time: now),
                                                 sign: commitSigner(desired.config))
        let proposed = try Snapshot.load(repository: repository, revision: commit, cache: parseCache)
        if proposed.hasErrors {
            throw ProposalError(.invalid, "the change does not validate: \(change.title)", diagnostics: proposed.diagnostics)
        }
        let id = try createProposalBranch(at: commit, now: now, title: change.title)
        let branch = Self.proposalsPrefix + id
        let plan = try planPullRequest(base: baseBranch, head: "refs/heads/" + branch, now: now)
        return Proposal(id: id, branch: branch, ref: "refs/heads/" + branch, commit: commit.hex, baseBranch: baseBranch, base: base.hex,
                        title: "rotor proposal: \(change.title)", files: edit.files.keys.sorted(), rewritten: edit.rewritten, plan: plan)
    }

    /// Every branch under `rotor/proposals/`, oldest id first.
    ///
    /// - Returns: One summary per branch; `merged` is true when HEAD's branch contains the
    ///   branch's commit (merged as it is or by a merge commit; a squash merge is not recognised).
    /// - Throws: `GitError` when references or commits cannot be read.
    public func proposals() throws -> [ProposalSummary] {
        let reconciled = try repository.headCommit()
        return try repository.references(under: "refs/heads/" + Self.proposalsPrefix).map { reference in
            let info = try repository.commitInfo(reference.target)
            let branch = String(reference.name.dropFirst("refs/heads/".count))
            return ProposalSummary(id: String(branch.dropFirst(Self.proposalsPrefix.count)), branch: branch, commit: reference.target.hex,
                                   title: String(info.message.prefix { $0 != "\n" }),
                                   author: "\(info.author.name) <\(info.author.email)>", createdAt: info.committer.time,
                                   merged: try reconciled.map { try repository.isAncestor(reference.target, of: $0) } ?? false)
        }
    }

    /// The files a change writes (nil deletes) and those re-rendered rather than edited.
    private func specEdit(for change: ProposedChange, desired: DesiredState, base: ObjectID) throws -> (files: [String: [UInt8]?], rewritten: [String]) {
        switch change {
        case .createSecret(let draft):
            try Self.checkNames(project: draft.project, name: draft.name)
            try Self.checkConsumers(draft.consumers)
            if let existing = desired.secrets[draft.id] {
                let origin = Self.declaredPath(of: existing) ?? "rotor adds it as \(draft.name)'s webhook signing secret"
                throw ProposalError(.exists, "secret \(draft.id) exists already (\(origin))")
            }
            return ([SpecLoader.specPath(draft.id): Array(SpecWriter.secret(draft).utf8)], [])
        case .deleteSecret(let id):
            guard let spec = desired.secrets[id] else { throw ProposalError(.notFound, "there is no secret \(id)") }
            guard let path = Self.declaredPath(of: spec) else {
                throw ProposalError(.invalid, "\(id) is the webhook signing secret rotor adds for \(id.name): remove \(id.name)'s webhook instead")
            }
            return ([path: nil], [])
        case .createKey(let draft):
            try Self.checkNames(project: draft.project, name: draft.name)
            try Self.checkConsumers(draft.consumers)
            if let existing = desired.keys[draft.id] {
                throw ProposalError(.exists, "API key \(draft.id) exists already (\(existing.location.path))")
            }
            return ([ApiKeySpec.path(for: draft.id): Array(SpecWriter.key(draft).utf8)], [])
        case .setWebhook(let service, let url):
            try Self.checkConsumers([Consumer(service: service, webhook: url)])
            return try webhookEdit(service: service, url: url, desired: desired, base: base)
        case .removeWebhook(let service):
            try Self.checkConsumers([Consumer(service: service)])
            return try webhookEdit(service: service, url: nil, desired: desired, base: base)
        }
    }

    /// Sets (or, with nil, removes) `service`'s webhook in every spec file listing it as a consumer.
    private func webhookEdit(service: String, url: String?, desired: DesiredState, base: ObjectID) throws -> (files: [String: [UInt8]?], rewritten: [String]) {
        var paths: [String] = []
        for spec in desired.secrets.values where spec.consumers.contains(where: { $0.service == service }) {
            if let path = Self.declaredPath(of: spec) { paths.append(path) }
        }
        for key in desired.keys.values where key.consumers.contains(where: { $0.service == service }) {
            paths.append(key.location.path)
        }
        guard !paths.isEmpty else { throw ProposalError(.notFound, "service \(service) consumes no secret and holds no API key") }
        var files: [String: [UInt8]?] = [:]
        var rewritten: [String] = []
        for path in paths.sorted() {
            guard let found = try repository.blobIfExists(at: path, in: base) else { continue }
            let edit: ConsumerWebhookEditor.Edit?
            do {
                edit = try ConsumerWebhookEditor.setting(webhook: url, of: service, in: SourceFile(path: path, bytes: found.1, blobID: found.0.hex))
            } catch let failure as ConsumerWebhookEditor.Failure {
                throw ProposalError(.invalid, failure.description)
            }
            guard let edit else { continue }
            files[path] = edit.bytes
            if !edit.keptLayout { rewritten.append(path) }
        }
        guard !files.isEmpty else {
            throw ProposalError(.unchanged, url == nil ? "service \(service) has no webhook to remove"
                                                       : "every consumer entry of service \(service) already has this webhook")
        }
        return (files, rewritten)
    }

    /// Creates `rotor/proposals/<id>` at `commit`, drawing another id if one is taken.
    /// - Returns: The id.
    private func createProposalBranch(at commit: ObjectID, now: Date, title: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...5 {
            let id = Self.proposalID(at: now, random: generator.next())
            do {
                try repository.createReference("refs/heads/" + Self.proposalsPrefix + id, at: commit, reflog: "rotor proposal: \(title)")
                return id
            } catch let error as GitError where error.alreadyExists && attempt < 5 {
                continue
            }
        }
        throw EngineError("internal: no free proposal id")  // the loop returns or throws first
    }

    /// `yyyyMMdd-HHmmss-<6 hex>` in UTC: sorts by time, and two proposals in one second differ.
    static func proposalID(at now: Date, random: UInt64) -> String {
        let stamp = RFC3339.format(now).prefix(19).filter { $0 != ":" && $0 != "-" }.replacingOccurrences(of: "T", with: "-")
        let hex = String(random & 0xFF_FFFF, radix: 16)
        return stamp + "-" + String(repeating: "0", count: 6 - hex.count) + hex
    }

    /// The file a secret is declared in; nil for a signing secret rotor adds (no file of its own).
    private static func declaredPath(of spec: SecretSpec) -> String? {
        let path = spec.location.path
        let stem = "secrets/\(spec.id.project)/\(spec.id.name)"
        return path == stem + ".yaml" || path == stem + ".yml" ? path : nil
    }

    /// Project and name must follow the name rule (they become a path).
    private static func checkNames(project: String, name: String) throws {
        for (field, value) in [("project", project), ("name", name)] where !NameRule.isValid(value) {
            throw ProposalError(.invalid, "\(field) must match \(NameRule.pattern)")
        }
    }

    /// Services must follow the name rule and webhooks be http(s) URLs without credentials.
    private static func checkConsumers(_ consumers: [Consumer]) throws {
        for consumer in consumers {
            guard NameRule.isValid(consumer.service) else { throw ProposalError(.invalid, "service must match \(NameRule.pattern)") }
            if let webhook = consumer.webhook, let problem = SpecLoader.webhookURLProblem(webhook) {
                throw ProposalError(.invalid, "\(consumer.service): \(problem)")
            }
        }
    }

    /// `main` for `refs/heads/main`.
    private static func shortName(_ ref: String) -> String {
        ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count)) : ref
    }
}
