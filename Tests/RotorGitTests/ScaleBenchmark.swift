import Foundation
import Testing
@testable import RotorGit

/// Timing run over 100,000 files; prints figures, asserts only counts.
/// Off by default: `ROTOR_GIT_BENCH=1 swift test --filter ScaleBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ROTOR_GIT_BENCH"] != nil))
struct ScaleBenchmark {
    @Test func hundredThousandFiles() throws {
        try withScratchRepo { repo, _ in
            var changes: [String: [UInt8]?] = [:]
            for i in 0..<90_000 { changes["other/d\(i % 300)/f\(i).txt"] = Array("o\(i)".utf8) }
            for i in 0..<10_000 { changes["secrets/t\(i % 100)/s\(i).yaml"] = Array("s\(i)".utf8) }
            changes["rotor.yaml"] = Array("r".utf8)
            let clock = ContinuousClock()
            let planTime = try clock.measure { _ = try TreeChanges(changes) }
            print("100k: arranging changes \(planTime)")
            var head: ObjectID?
            let commitTime = try clock.measure {
                head = try repo.commit(changes: changes, parent: nil, ref: "refs/heads/main", message: "big",
                                       author: signature(), committer: signature())
            }
            let id = try #require(head)
            var subset: [TreeFile] = []
            let subsetTime = try clock.measure { subset = try repo.treeFiles(at: id, under: ["secrets", "rotor.yaml"]) }
            var all: [TreeFile] = []
            let allTime = try clock.measure { all = try repo.treeFiles(at: id, under: []) }
            var next: ObjectID?
            let smallCommitTime = try clock.measure {
                next = try repo.commit(changes: ["secrets/t1/s1.yaml": Array("new".utf8)], parent: id,
                                       ref: "refs/heads/main", message: "one", author: signature(), committer: signature())
            }
            let last = try clock.measure { _ = try repo.lastCommitChanging(path: "secrets/t1/s1.yaml", from: try #require(next)) }
            print("100k: commit \(commitTime), treeFiles(secrets) \(subsetTime) [\(subset.count)], treeFiles(all) \(allTime) [\(all.count)], 1-file commit \(smallCommitTime), lastCommitChanging \(last)")
            #expect(subset.count == 10_001)
            #expect(all.count == 100_001)
        }
    }
}
