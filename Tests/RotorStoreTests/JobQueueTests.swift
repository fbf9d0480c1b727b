import Foundation
import GRDB
import Testing
@testable import RotorCore
@testable import RotorStore

@Suite("Jobs queue: delivery jobs, claims, leases")
struct JobQueueTests {
    static let fpr = "0123456789ABCDEF0123456789ABCDEF01234567"
    static let armored = "-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n"
    static let secret = SecretID(project: "payments", name: "db")
    static let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!
    let owner = JobOwner(host: "test-host", pid: 101)
    let other = JobOwner(host: "test-host", pid: 202)

    func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-jobs-\(UUID().uuidString.prefix(8))")
        return dir.appendingPathComponent("state.db").path
    }

    func version(_ number: Int, _ state: SecretVersion.State, grace: Date? = nil) -> SecretVersion {
        SecretVersion(id: "v\(number)", version: number, state: state, createdAt: Self.t0.addingTimeInterval(Double(number) * 3_600),
                      createdBy: "rotor", rotatedFrom: number > 1 ? number - 1 : nil, rotationReason: "r\(number)",
                      graceExpiresAt: grace, source: .generated, sourceDigest: nil, recipients: [Self.fpr], valueEncrypted: Self.armored)
    }

    func desired(_ consumers: [Consumer]) -> DesiredState {
        DesiredState(config: RepoConfig(recipients: [Self.fpr]), policies: [:],
                     secrets: [Self.secret: SecretSpec(id: Self.secret, location: SourceLocation(path: "secrets/payments/db.yaml"),
                                                       policy: "p", consumers: consumers)], revision: "c1")
    }

    let consumers = [Consumer(service: "api", webhook: "http://127.0.0.1:9/a"), Consumer(service: "batch"),
                     Consumer(service: "ledger", webhook: "http://127.0.0.1:9/l")]

    func reconciled(_ versions: [SecretVersion], store: StateStore? = nil, now: Date = t0) throws -> StateStore {
        let store = try store ?? StateStore(path: temporaryPath())
        _ = try store.reconcile(files: [Self.secret: VersionFile(secret: Self.secret, versions: versions)], desired: desired(consumers),
                                revision: "c1", now: now, actor: "rotor")
        return store
    }

    @Test func eachNewEventQueuesOneDeliveryPerConsumerWithAWebhook() throws {
        let store = try StateStore(path: temporaryPath())
        let files = [Self.secret: VersionFile(secret: Self.secret, versions: [version(1, .active)])]
        let summary = try store.reconcile(files: files, desired: desired(consumers), revision: "c1", now: Self.t0, actor: "rotor")
        #expect(summary.events == 1 && summary.jobs == 2)
        let event = try #require(try store.events().first)
        let jobs = try store.jobs()
        #expect(Set(jobs.map(\.id)) == [StateStore.deliveryJobID(eventID: event.id, service: "api"),
                                        StateStore.deliveryJobID(eventID: event.id, service: "ledger")])
        #expect(jobs.allSatisfy { $0.status == .pending && $0.attempts == 0 && $0.maxAttempts == 6 && $0.runAt == Self.t0 })
        #expect(jobs.compactMap(\.delivery?.url).sorted() == ["http://127.0.0.1:9/a", "http://127.0.0.1:9/l"])
        #expect(jobs.allSatisfy { $0.delivery?.eventID == event.id && $0.delivery?.eventType == "secret.created" })
        // Re-running (as after a crash) queues nothing twice.
        let again = try store.reconcile(files: files, desired: desired(consumers), revision: "c1", now: Self.t0.addingTimeInterval(60), actor: "rotor")
        #expect(again.events == 0 && again.jobs == 0)
        #expect(try store.jobs().count == 2)
    }

    @Test func theJobsAreWrittenInTheEventsTransactionOrNotAtAll() throws {
        let path = temporaryPath()
        let store = try StateStore(path: path)
        // Given a database that refuses job rows,
        let saboteur = try DatabaseQueue(path: path)
        try saboteur.write { try $0.execute(sql: "CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'no jobs today'); END") }
        // When reconciling fails on the job insert, Then neither the version nor its event was written.
        #expect(throws: (any Error).self) { _ = try reconciled([version(1, .active)], store: store) }
        #expect(try store.events().isEmpty && store.history(of: Self.secret).isEmpty)
        // And once jobs can be written, the same pass writes all of it.
        try saboteur.write { try $0.execute(sql: "DROP TRIGGER refuse_jobs") }
        _ = try reconciled([version(1, .active)], store: store)
        #expect(try store.events().count == 1 && store.jobs().count == 2)
    }

    @Test func aRotationsEventCarriesTheReplacedVersionsGraceEnd() throws {
        let graceEnd = Self.t0.addingTimeInterval(86_400)
        let store = try reconciled([version(2, .active), version(1, .grace, grace: graceEnd)])
        let rotated = try #require(try store.events().first { $0.type == "secret.rotated" })
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(rotated.payload.utf8)) as? [String: Any])
        let data = try #require(payload["data"] as? [String: Any])
        #expect(payload["type"] as? String == "secret.rotated")
        #expect(data["grace_expires_at"] as? String == RFC3339.format(graceEnd))
        #expect(data["rotated_from"] as? Int == 1 && data["new_version"] as? Int == 2)
        #expect(data["secret_id"] as? String == "payments/db" && data["project"] as? String == "payments" && data["name"] as? String == "db")
    }

    @Test func claimsAreLeasedAndAGoneOwnersJobsAreTakenBack() throws {
        let path = temporaryPath()
        let store = try reconciled([version(1, .active)], store: try StateStore(path: path))
        let rows = { try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM delivery_attempts") ?? -1 } }
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 10, ownerIsGone: { _ in false })
        #expect(claimed.count == 2 && claimed.allSatisfy { $0.attempt == 1 && $0.job.status == .running && $0.job.lockedBy == "test-host:101" })
        #expect(claimed.allSatisfy { $0.body.contains("\"type\":\"secret.created\"") })
        // While the owner lives and its lease holds, nobody else gets the jobs.
        #expect(try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(60), owner: other, lease: 120, limit: 10,
                                             ownerIsGone: { _ in false }).isEmpty)
        // When the owner is gone, the jobs are taken back at once and the open attempt is recorded as interrupted.
        let retaken = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(60), owner: other, lease: 120, limit: 10,
                                                   ownerIsGone: { $0 == owner })
        #expect(retaken.count == 2 && retaken.allSatisfy { $0.attempt == 2 && $0.job.lockedBy == "test-host:202" })
        let attempts = try store.attempts(ofJob: retaken[0].job.id)
        #expect(attempts.map(\.attempt) == [1, 2])
        #expect(attempts[0].error?.hasPrefix("interrupted: the rotor process delivering it (test-host:101)") == true)
        #expect(attempts[1].finishedAt == nil)
        // An attempt's row is written once, with its outcome: the interrupted ones are rows (started
        // when they were claimed), the ones in flight are shown from their job.
        #expect(try rows() == 2)
        #expect(attempts[0].startedAt == Self.t0 && attempts[0].finishedAt == Self.t0.addingTimeInterval(60))
        #expect(attempts[1].startedAt == Self.t0.addingTimeInterval(60) && attempts[1].statusCode == nil)
        #expect(attempts.allSatisfy { $0.url == retaken[0].delivery.url })
        // The first owner's answer, recorded late (its claim was lost): the attempt gets its outcome,
        // the job stays with its new owner.
        try store.finishDeliveries([FinishedDelivery(claimed: claimed.first { $0.job.id == retaken[0].job.id }!, now: Self.t0.addingTimeInterval(61),
                                                     statusCode: 204, latencyMS: 5, error: nil, resolution: .completed)], owner: owner)
        let late1 = try store.attempts(ofJob: retaken[0].job.id)
        #expect(late1[0].statusCode == 204 && late1[0].error == nil && late1[0].latencyMS == 5)
        #expect(try store.job(retaken[0].job.id).status == .running && store.job(retaken[0].job.id).lockedBy == "test-host:202")
        #expect(try rows() == 2)
        // And when a lease runs out, even a live owner's jobs are taken back.
        let late = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(181), owner: owner, lease: 120, limit: 1,
                                                ownerIsGone: { _ in false })
        #expect(late.count == 1 && late[0].attempt == 3)
    }

    @Test func deliveryWorkIsAJobDueOrOneStillRunning() throws {
        #expect(try !StateStore(path: temporaryPath()).hasDeliveryWork(dueBy: Self.t0))
        let store = try reconciled([version(1, .active)])
        #expect(try store.hasDeliveryWork(dueBy: Self.t0))
        #expect(try !store.hasDeliveryWork(dueBy: Self.t0.addingTimeInterval(-1)))  // not due yet
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 10, ownerIsGone: { _ in false })
        // Running (perhaps under a process that is gone): a pass would look at it.
        #expect(try store.hasDeliveryWork(dueBy: Self.t0.addingTimeInterval(-1)))
        try store.finishDeliveries(claimed.map { FinishedDelivery(claimed: $0, now: Self.t0, statusCode: 204, latencyMS: 1, error: nil,
                                                                  resolution: .completed) }, owner: owner)
        #expect(try !store.hasDeliveryWork(dueBy: Self.t0.addingTimeInterval(86_400)))
    }

    @Test func theServicesWithDeliveriesDueAreNamedForTheirSigningKeys() throws {
        #expect(try StateStore(path: temporaryPath()).dueDeliveryServices(dueBy: Self.t0).isEmpty)
        let path = temporaryPath()
        let store = try reconciled([version(1, .active)], store: try StateStore(path: path))
        #expect(try store.dueDeliveryServices(dueBy: Self.t0) == ["api", "ledger"])  // "batch" has no webhook
        #expect(try store.dueDeliveryServices(dueBy: Self.t0.addingTimeInterval(-1)).isEmpty)  // not due yet
        // What a read-only opening (the engine's, while the store is reconciled) sees.
        #expect(try StateStore.openReadOnly(path: path)?.dueDeliveryServices(dueBy: Self.t0) == ["api", "ledger"])
        // Claimed (running) or delivered: no longer due.
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 1, ownerIsGone: { _ in false })
        #expect(try store.dueDeliveryServices(dueBy: Self.t0) == Set(["api", "ledger"]).subtracting([claimed[0].delivery.service]))
    }

    @Test func aBatchOfFinishedAttemptsIsRecordedInOneTransactionOrNotAtAll() throws {
        let path = temporaryPath()
        let store = try reconciled([version(1, .active)], store: try StateStore(path: path))
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 10, ownerIsGone: { _ in false })
        #expect(claimed.count == 2)
        let finished = [
            FinishedDelivery(claimed: claimed[0], now: Self.t0, statusCode: 204, latencyMS: 1, error: nil, resolution: .completed),
            FinishedDelivery(claimed: claimed[1], now: Self.t0, statusCode: 500, latencyMS: 2, error: "answered 500",
                             resolution: .retry(at: Self.t0.addingTimeInterval(60))),
        ]
        // Given a database that refuses the second job's update, the first is not recorded either,
        let saboteur = try DatabaseQueue(path: path)
        try saboteur.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse_retry BEFORE UPDATE ON jobs WHEN NEW.status = 'pending' BEGIN SELECT RAISE(ABORT, 'no'); END")
        }
        #expect(throws: (any Error).self) { try store.finishDeliveries(finished, owner: owner) }
        #expect(try store.jobs().allSatisfy { $0.status == .running })
        #expect(try store.attempts(ofJob: claimed[0].job.id).first?.finishedAt == nil)
        // and once it can be written, both are, in one go.
        try saboteur.write { try $0.execute(sql: "DROP TRIGGER refuse_retry") }
        try store.finishDeliveries(finished, owner: owner)
        #expect(try store.job(claimed[0].job.id).status == .completed)
        #expect(try store.job(claimed[1].job.id).status == .pending)
        #expect(try store.attempts(ofJob: claimed[1].job.id).first?.statusCode == 500)
    }

    @Test func aClaimIsOneRowForItsBatchAndEachJobIsWrittenOncePerAttempt() throws {
        // Given four due jobs (two events, two consumers with webhooks each) and a trigger counting writes to jobs,
        let path = temporaryPath()
        let store = try reconciled([version(1, .active)], store: try StateStore(path: path))
        _ = try store.reconcile(files: [Self.secret: VersionFile(secret: Self.secret, versions: [version(2, .active),
                                                                                                version(1, .grace, grace: Self.t0.addingTimeInterval(86_400))])],
                                desired: desired(consumers), revision: "c2", now: Self.t0, actor: "rotor")
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in
            try db.execute(sql: """
                CREATE TABLE job_writes (n INTEGER);
                CREATE TRIGGER count_job_writes AFTER UPDATE ON jobs BEGIN INSERT INTO job_writes VALUES (1); END;
                """)
        }
        let writes = { try raw.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM job_writes") ?? -1 } }
        let claims = { try raw.read { try Row.fetchAll($0, sql: "SELECT owner, lease_until, jobs, open FROM job_claims ORDER BY id") } }
        // When a process claims three of them,
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 3, ownerIsGone: { _ in false })
        #expect(claimed.count == 3)
        // Then no job row is written: one claim row lists each job with its attempt,
        #expect(try writes() == 0)
        let rows = try claims()
        #expect(rows.count == 1)
        let (holder, until, open): (String, String, Int) = (rows[0]["owner"], rows[0]["lease_until"], rows[0]["open"])
        #expect(holder == "test-host:101" && until == "2027-01-01T00:02:00Z" && open == 3)
        #expect(ClaimEntry.parse(rows[0]["jobs"]) == claimed.map { ClaimEntry(seq: $0.jobSeq, attempt: 1) })
        // and the jobs read as running, held by it, while the fourth is pending and the only one another claim can take.
        #expect(try Set(store.jobs(status: .running).map(\.id)) == Set(claimed.map(\.job.id)))
        #expect(try store.jobs(status: .running).allSatisfy { $0.lockedBy == "test-host:101" && $0.attempts == 1 && $0.updatedAt == Self.t0 })
        let rest = try #require(try store.jobs(status: .pending).first)
        #expect(try store.jobs(status: .pending).count == 1)
        #expect(try store.dueDeliveryServices(dueBy: Self.t0) == [rest.delivery!.service])
        #expect(try store.nextDeliveryDue() == Self.t0)
        #expect(throws: StoreError.self) { try store.cancelJob(claimed[0].job.id, now: Self.t0, actor: "t") }
        #expect(throws: StoreError.self) { try store.retryJob(claimed[0].job.id, now: Self.t0, actor: "t") }
        // Recording outcomes writes each job once, and counts them off the claim,
        try store.finishDeliveries(claimed.prefix(2).map { FinishedDelivery(claimed: $0, now: Self.t0.addingTimeInterval(1), statusCode: 204, latencyMS: 1,
                                                                           error: nil, resolution: .completed) }, owner: owner)
        #expect(try writes() == 2)
        #expect(try claims().map { $0["open"] as Int } == [1])
        #expect(try store.job(claimed[0].job.id).status == .completed && store.job(claimed[0].job.id).attempts == 1)
        // the last of which deletes it: nothing is in flight, and the next due is the fourth job.
        try store.finishDeliveries([FinishedDelivery(claimed: claimed[2], now: Self.t0.addingTimeInterval(2), statusCode: 503, latencyMS: 1,
                                                     error: "answered 503", resolution: .retry(at: Self.t0.addingTimeInterval(30)))], owner: owner)
        #expect(try writes() == 3 && claims().isEmpty)
        let retried = try store.job(claimed[2].job.id)
        #expect(retried.status == .pending && retried.attempts == 1 && retried.runAt == Self.t0.addingTimeInterval(30) && retried.lockedBy == nil)
        #expect(try store.jobs(status: .running).isEmpty && store.nextDeliveryDue() == Self.t0)
        // A claim given back whole is deleted too.
        let next = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(3), owner: owner, lease: 120, limit: 10, ownerIsGone: { _ in false })
        #expect(next.map(\.job.id) == [rest.id])
        #expect(try claims().count == 1)
        try store.releaseDeliveries(next, owner: owner, now: Self.t0.addingTimeInterval(4))
        #expect(try claims().isEmpty && writes() == 3)
        let given = try store.job(rest.id)
        #expect(given.status == .pending && given.attempts == 0)
    }

    @Test func manyOutcomesAreRecordedInStatementsOfSeveralRowsEachExactlyOnce() throws {
        // Given 150 due jobs written by hand (one event, one URL each),
        let path = temporaryPath()
        let store = try reconciled([version(1, .active)], store: try StateStore(path: path))
        let event = try #require(try store.events().first?.id)
        try DatabaseQueue(path: path).write { db in
            for index in 0..<148 {
                let payload = #"{"event_id":"\#(event)","event_type":"secret.created","secret_id":"payments/db","service":"api","url":"http://127.0.0.1:9/\#(index)"}"#
                try db.execute(sql: """
                    INSERT INTO jobs (id, type, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
                    VALUES (?, 'webhook.delivery', ?, 'pending', 0, 6, '2026-12-31T00:00:00Z', '2026-12-31T00:00:00Z', '2026-12-31T00:00:00Z')
                    """, arguments: [String(format: "job_many%03d", index), payload])
            }
        }
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 200, ownerIsGone: { _ in false })
        #expect(claimed.count == 150)
        // when every one is recorded delivered at once (64 + 64 + 16 + 4 + 1 + 1 rows),
        let finished = claimed.enumerated().map { index, claimed in
            FinishedDelivery(claimed: claimed, now: Self.t0.addingTimeInterval(Double(index % 3)), statusCode: 200 + index % 7,
                             latencyMS: index, error: nil, resolution: .completed)
        }
        try store.finishDeliveries(finished, owner: owner)
        // Then each job is completed on its attempt, with its own outcome, and nothing is left claimed.
        #expect(try store.jobs(status: .completed).count == 150 && store.jobs(status: .running).isEmpty)
        for item in finished {
            let attempts = try store.attempts(ofJob: item.claimed.job.id)
            #expect(attempts.count == 1)
            #expect(attempts.first?.statusCode == item.statusCode && attempts.first?.latencyMS == item.latencyMS)
            #expect(attempts.first?.finishedAt == item.now && attempts.first?.url == item.claimed.delivery.url && attempts.first?.startedAt == Self.t0)
            #expect(try store.job(item.claimed.job.id).updatedAt == item.now)
        }
        #expect(try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM job_claims") } == 0)
    }

    @Test func attemptsMoveJobsOnAndAGoneEndpointIsDisabledAndSaysSo() throws {
        let store = try reconciled([version(1, .active)])
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 10, ownerIsGone: { _ in false })
        let api = try #require(claimed.first { $0.delivery.service == "api" })
        let ledger = try #require(claimed.first { $0.delivery.service == "ledger" })
        try store.finishDeliveries([FinishedDelivery(claimed: api, now: Self.t0, statusCode: 500, latencyMS: 12, error: "answered 500",
                                                     resolution: .retry(at: Self.t0.addingTimeInterval(60)))], owner: owner)
        try store.finishDeliveries([FinishedDelivery(claimed: ledger, now: Self.t0, statusCode: 410, latencyMS: 3, error: "answered 410 Gone",
                                                     resolution: .disableEndpoint)], owner: owner)
        #expect(try store.job(api.job.id).status == .pending)
        #expect(try store.job(api.job.id).runAt == Self.t0.addingTimeInterval(60))
        #expect(try store.attempts(ofJob: api.job.id).first?.statusCode == 500)
        #expect(try store.attempts(ofJob: api.job.id).first?.latencyMS == 12)
        #expect(try store.job(ledger.job.id).status == .failed)
        #expect(try store.webhookEndpoints().first?.disabledReason == "410 Gone")
        // A pass never retries a job that became due after it started.
        #expect(try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(61), owner: owner, lease: 120, limit: 10,
                                             ownerIsGone: { _ in false }).isEmpty)

        // The next event for the disabled endpoint fails at once, saying why, with no attempt.
        _ = try reconciled([version(2, .active), version(1, .grace, grace: Self.t0.addingTimeInterval(86_400))], store: store)
        let next = try store.claimDueDeliveries(dueBy: Self.t0.addingTimeInterval(120), now: Self.t0.addingTimeInterval(120), owner: owner,
                                                lease: 120, limit: 10, ownerIsGone: { _ in false })
        #expect(next.map(\.delivery.service).sorted() == ["api", "api"])
        let refused = try #require(try store.jobs(status: .failed).first { $0.id != ledger.job.id })
        #expect(refused.attempts == 0)
        #expect(refused.lastError?.contains("endpoint http://127.0.0.1:9/l is disabled since") == true)

        // Retrying re-enables the endpoint and gives a fresh round; cancel takes pending jobs only.
        let (retried, reenabled) = try store.retryJob(String(ledger.job.id.prefix(12)), now: Self.t0.addingTimeInterval(200), actor: "alice")
        #expect(reenabled == "http://127.0.0.1:9/l")
        #expect(retried.status == .pending && retried.maxAttempts == retried.attempts + 6)
        #expect(try store.webhookEndpoints().allSatisfy { $0.disabledAt == nil })
        #expect(throws: StoreError.self) { try store.cancelJob(refused.id, now: Self.t0, actor: "alice") }
        #expect(try store.cancelJob(retried.id, now: Self.t0, actor: "alice").status == .cancelled)
        #expect(try store.auditLog().map(\.action).filter { $0.contains("job") || $0.contains("endpoint") }
                == ["webhook.endpoint_disabled", "webhook.endpoint_enabled", "job.retried", "job.cancelled"])
        #expect(try store.verifyAudit() == nil)
    }

    @Test func aClaimFailsJobsItCannotSendAndTakesTheRestOldestFirst() throws {
        // Given six due jobs (two from the event, four written by hand): one whose payload is not JSON,
        // one whose payload lacks the URL, one whose event is missing, and one due later than the others,
        let path = temporaryPath()
        let store = try reconciled([version(1, .active)], store: try StateStore(path: path))
        let event = try #require(try store.events().first?.id)
        let payload = { (eventID: String, url: String) in
            #"{"event_id":"\#(eventID)","event_type":"secret.created","secret_id":"payments/db","service":"api","url":"\#(url)"}"#
        }
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in
            for (id, body, runAt) in [("job_notjson", "{not json", "2026-12-31T00:00:00Z"),
                                      ("job_nourl", #"{"event_id":"\#(event)","event_type":"t","secret_id":"s","service":"api"}"#, "2026-12-31T00:00:00Z"),
                                      ("job_noevent", payload("evt_gone", "http://127.0.0.1:9/x"), "2026-12-31T00:00:00Z"),
                                      ("job_early", payload(event, "http://127.0.0.1:9/early"), "2026-12-30T00:00:00Z")] {
                try db.execute(sql: """
                    INSERT INTO jobs (id, type, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
                    VALUES (?, 'webhook.delivery', ?, 'pending', 0, 6, ?, ?, ?)
                    """, arguments: [id, body, runAt, runAt, runAt])
            }
        }
        // When a claim takes two at a time,
        let first = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 2, ownerIsGone: { _ in false })
        // Then the earliest due comes first, and the unsendable ones fail on the way, each saying why, with no attempt.
        #expect(first.map(\.job.id).first == "job_early")
        #expect(first.count == 2 && first.allSatisfy { $0.job.status == .running && $0.attempt == 1 && $0.job.lockedBy == "test-host:101" })
        #expect(first[0].delivery == DeliveryPayload(eventID: event, eventType: "secret.created", secretID: "payments/db", service: "api",
                                                     url: "http://127.0.0.1:9/early"))
        #expect(first[0].body == (try store.events().first?.payload))
        let failed = Dictionary(uniqueKeysWithValues: try store.jobs(status: .failed).map { ($0.id, $0.lastError ?? "") })
        #expect(failed == ["job_notjson": "unreadable delivery payload", "job_nourl": "unreadable delivery payload",
                           "job_noevent": "event evt_gone is missing from the store"])
        // And what a claim returns is what the store holds: the claimed rows and their open attempts.
        for claimed in first {
            let stored = try store.job(claimed.job.id)
            #expect(stored == claimed.job)
            #expect(try store.attempts(ofJob: claimed.job.id).map(\.attempt) == [1])
        }

        // A claim that records finished attempts does both in one transaction: the outcomes, then the next batch.
        let finished = first.map { FinishedDelivery(claimed: $0, now: Self.t0, statusCode: 204, latencyMS: 1, error: nil, resolution: .completed) }
        let second = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 10, recording: finished,
                                                  ownerIsGone: { _ in false })
        #expect(try first.allSatisfy { try store.job($0.job.id).status == .completed })
        #expect(second.count == 1 && !first.map(\.job.id).contains(second[0].job.id))
    }

    @Test func aClaimantsOwnJobsAreLeftInFlightUntilTheirLeaseEnds() throws {
        let store = try reconciled([version(1, .active)])
        var asked: [JobOwner] = []
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 10, ownerIsGone: { _ in false })
        #expect(claimed.count == 2)
        // Within the lease its own running jobs are its requests in flight: not taken back, and no liveness check needed.
        #expect(try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(60), owner: owner, lease: 120, limit: 10,
                                             ownerIsGone: { asked.append($0); return true }).isEmpty)
        #expect(asked.isEmpty)
        // Once the lease is over (a pass that died without handing them back), the same process takes them back.
        let again = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(121), owner: owner, lease: 120, limit: 10,
                                                 ownerIsGone: { _ in false })
        #expect(again.count == 2 && again.allSatisfy { $0.attempt == 2 })
    }

    @Test func aJobAnOpenClaimListsIsNotClaimedAgainWhateverShapeTheListIsIn() throws {
        // Given two due jobs, the first listed by another (live) process's claim, written as
        // rotor writes it, or in another valid JSON shape (spaces, a float, an extra field),
        for list in ["[[%d,1]]", "[ [%d, 1] ]", "[[%d.0,1]]", "[[%d,1,\"x\"]]", "[[1,1],[%d,1]]"] {
            let path = temporaryPath()
            let store = try reconciled([version(1, .active)], store: try StateStore(path: path))
            let jobs = try store.jobs()
            let seq = try #require(try DatabaseQueue(path: path).read { try Int64.fetchOne($0, sql: "SELECT seq FROM jobs WHERE id = ?", arguments: [jobs[0].id]) })
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "INSERT INTO job_claims (owner, claimed_at, lease_until, jobs, open) VALUES ('other-host:9', ?, ?, ?, 1)",
                               arguments: [RFC3339.format(Self.t0), RFC3339.format(Self.t0.addingTimeInterval(600)), list.replacingOccurrences(of: "%d", with: String(seq))])
            }
            // when this process claims,
            let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 10, ownerIsGone: { _ in false })
            // Then it takes only the other job.
            #expect(claimed.map(\.job.id) == [jobs[1].id], "claim list \(list)")
        }
    }

    @Test func releasedJobsGoBackUncountedTogetherAndAJobHeldByAnotherIsLeftAlone() throws {
        let store = try reconciled([version(1, .active)])
        // Given one process that claimed one job, and the other a while later,
        let early = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 120, limit: 1, ownerIsGone: { _ in false })
        let late = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(100), owner: owner, lease: 120, limit: 1,
                                                ownerIsGone: { _ in false })
        let claimed = early + late
        #expect(claimed.count == 2)
        // when the first job's lease ended and another process took it,
        let retaken = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0.addingTimeInterval(121), owner: other, lease: 120, limit: 10,
                                                   ownerIsGone: { _ in false })
        #expect(retaken.map(\.job.id) == early.map(\.job.id))
        let taken = early[0].job.id
        // and then the first process gives both back (its pass ran out of time before sending them),
        try store.releaseDeliveries(claimed, owner: owner, now: Self.t0.addingTimeInterval(122))
        // Then its own job is pending again with no attempt counted or recorded,
        let mine = late[0]
        let released = try store.job(mine.job.id)
        #expect(released.status == .pending && released.attempts == 0 && released.lockedBy == nil && released.lockedUntil == nil)
        #expect(try store.attempts(ofJob: mine.job.id).isEmpty)
        // and the job the other process holds keeps its owner and its open attempt.
        let held = try store.job(taken)
        #expect(held.status == .running && held.lockedBy == "test-host:202" && held.attempts == 2)
        #expect(try store.attempts(ofJob: taken).map(\.attempt) == [1, 2])
        // Nothing to give back is no transaction at all.
        try store.releaseDeliveries([], owner: owner, now: Self.t0)
    }
}
