import Foundation
import Testing
import RotorTesting

/// The daemon's memory over many passes, as `scripts/soak` measures it (which anyone can run
/// longer): hundreds of passes with the clock moving on, no real waiting.
@Suite("Daemon: memory stays flat over many passes")
struct DaemonSoakTests {
    @Test func threeHundredPassesGrowTheHeapByLessThanFiveMiB() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/soak").path
        // 300 passes, 6 h apart: 75 days of creations, rotations and expiries over 20 secrets
        let run = try Shell.run("python3", [script, "--passes", "300", "--secrets", "20", "--step", "6h", "--warmup", "60",
                                            "--max-growth-mb", "5", "--rotor", Shell.rotorExecutable])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("300 passes ("), "\(run.stdout)")
        // Rotations happened, not only no-op passes
        let outcomes = run.stdout.split(separator: "\n").last { $0.contains("applied") } ?? ""
        #expect(!outcomes.contains("applied 1,"), "\(run.stdout)")
    }
}
