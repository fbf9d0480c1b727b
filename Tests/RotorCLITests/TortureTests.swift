import Foundation
import Testing
import RotorTesting

/// `scripts/torture` at a small count: kill -9 across create, deliver, rotate, expire and rekey
/// on fresh repositories, then every invariant (anyone can run it with hundreds of kills).
@Suite("kill -9 across every kind of pass")
struct TortureTests {
    @Test func tenKillsAcrossEveryKindOfPassViolateNothing() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/torture").path
        let run = try Shell.run("python3", [script, "--kills", "10", "--secrets", "3", "--rotor", Shell.rotorExecutable])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("\n0 violations"), "\(run.stdout)")
        // Every kind of step was killed at least once (a round's target goes round the five kinds).
        for kind in ["create", "deliver", "rotate", "expire", "rekey"] {
            #expect(run.stdout.contains("  \(kind) "), "\(kind) never targeted:\n\(run.stdout)")
        }
    }
}
