import Foundation
import Testing
@testable import RotorGit

/// A repack writes one pack of what is reachable and removes only what that pack supersedes.
@Suite("Repacking")
struct RepackTests {
    /// 70 changed files: over the threshold, so each such commit is a pack of its own.
    static func manyFiles(_ round: Int) -> [String: String?] {
        var changes: [String: String?] = [:]
        for index in 0..<(GitRepository.packThreshold + 6) { changes["versions/p\(index % 5)/s\(index).yaml"] = "round \(round) value \(index)\n" }
        return changes
    }

    static func packFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/.git/objects/pack")) ?? []).sorted()
    }

    /// Mapped files and open descriptors of this process under `dir` (to see what a handle still holds).
    static func heldFiles(under dir: String) -> [String] {
        let maps = (try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? ""
        var held = maps.split(separator: "\n").compactMap { line in line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).first.map(String.init) }
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd) { held.append(target) }
        }
        return held.filter { $0.hasPrefix(dir) }
    }

    @Test func manyPacksAndLooseObjectsBecomeOnePackThatGitAndThisHandleRead() throws {
        try withScratchRepo { repo, dir in
            // Given a history of three large commits (a pack each) and small ones (loose objects),
            var tip = try commit(repo, ["README": "x\n"], parent: nil)
            var tips: [ObjectID] = [tip]
            for round in 1...3 {
                tip = try commit(repo, Self.manyFiles(round), parent: tip, message: "round \(round)")
                tips.append(tip)
                tip = try commit(repo, ["README": "after round \(round)\n"], parent: tip)
                tips.append(tip)
            }
            // a remote-tracking ref behind the branch (the branch's last commits are "unpushed"),
            // an annotated tag, and a file staged but not committed,
            #expect(try git(dir, "update-ref", "refs/remotes/origin/main", tips[2].hex).status == 0)
            #expect(try git(dir, "-c", "user.name=t", "-c", "user.email=t@rotor.test", "tag", "-a", "-m", "first", "v1", tips[0].hex).status == 0)
            try write(dir, "staged.txt", "staged only\n")
            #expect(try git(dir, "add", "staged.txt").status == 0)
            let staged = try git(dir, "rev-parse", ":staged.txt").out.trimmingCharacters(in: .whitespacesAndNewlines)
            let oldPacks = Self.packFiles(dir).filter { $0.hasSuffix(".pack") }
            #expect(oldPacks.count == 3)
            #expect(repo.packFileCount() == 3)
            // read through this handle first, so that it has the old packs open,
            #expect(try repo.treeFiles(at: tips[1], under: ["versions"]).count == GitRepository.packThreshold + 6)

            // When it is repacked,
            let report = try repo.repack()

            // Then one pack holds everything, the old packs and the loose objects are gone,
            #expect(report.packsBefore == 3)
            #expect(report.packsRemoved == 3)
            #expect(report.packsKept == 0)
            #expect(report.packsAfter == 1)
            #expect(report.looseObjectsRemoved > 0)
            #expect(repo.packFileCount() == 1)
            let packs = Self.packFiles(dir)
            #expect(packs.count == 2, "\(packs)")  // one .pack, one .idx
            #expect(Set(packs).isDisjoint(with: oldPacks))
            let counts = try git(dir, "count-objects", "-v").out
            #expect(counts.hasPrefix("count: 0\n") && counts.contains("\npacks: 1\n"), "\(counts)")
            #expect(counts.contains("in-pack: \(report.objects)\n"), "\(counts)")
            // git finds nothing missing or broken, and every commit, the tag and the staged blob are there,
            let fsck = try git(dir, "fsck", "--strict", "--no-dangling")
            #expect(fsck.status == 0 && fsck.stderr.isEmpty && fsck.out.isEmpty, "\(fsck.out)\(fsck.stderr)")
            for id in tips { #expect(try git(dir, "cat-file", "-e", id.hex).status == 0) }
            #expect(try git(dir, "cat-file", "-t", "v1").out == "tag\n")
            #expect(try git(dir, "cat-file", "-e", staged).status == 0)
            // this same handle reads every file and holds none of the removed packs,
            let files = try repo.treeFiles(at: tip, under: ["versions"])
            #expect(files.count == GitRepository.packThreshold + 6)
            #expect(String(decoding: try repo.blob(files[0].blob), as: UTF8.self).hasPrefix("round 3 value "))
            #expect(try repo.blobs(files.map(\.blob)).count == files.count)
            let held = Self.heldFiles(under: dir + "/.git/objects/pack")
            #expect(held.allSatisfy { path in !oldPacks.contains { path.contains($0.dropLast(5)) } }, "\(held)")
            // and commits on top still work.
            let next = try commit(repo, Self.manyFiles(4), parent: tip, message: "round 4")
            #expect(try git(dir, "rev-parse", "HEAD").out == next.hex + "\n")
            #expect(try git(dir, "fsck", "--strict").status == 0)
        }
    }

    @Test func aPackHoldingObjectsNothingReachesIsKeptAndSoIsAKeepPack() throws {
        try withScratchRepo { repo, dir in
            // Given a pack of a blob nothing reaches, a pack marked .keep, and a reachable history,
            var tip = try commit(repo, ["README": "x\n"], parent: nil)
            tip = try commit(repo, Self.manyFiles(1), parent: tip)
            let unreachable = try shell(dir, "printf 'nothing reaches this\\n' | git hash-object -w --stdin")
            let unreachablePack = "pack-" + (try shell(dir, "echo \(unreachable) | git pack-objects -q .git/objects/pack/pack")) + ".pack"
            #expect(Self.packFiles(dir).contains(unreachablePack))
            tip = try commit(repo, Self.manyFiles(2), parent: tip)
            let kept = try #require(Self.packFiles(dir).first { $0.hasSuffix(".pack") && $0 != unreachablePack })
            #expect(FileManager.default.createFile(atPath: dir + "/.git/objects/pack/" + kept.dropLast(5) + ".keep", contents: Data()))
            #expect(repo.packFileCount() == 3)

            // When it is repacked,
            let report = try repo.repack()

            // Then the unreachable blob's pack and the .keep pack stay, the other goes,
            #expect(report.packsKept == 2)
            #expect(report.packsRemoved == 1)
            #expect(repo.packFileCount() == 3)
            #expect(Self.packFiles(dir).contains(kept))
            // and the unreachable blob can still be read, by git and by this handle.
            #expect(try git(dir, "cat-file", "-p", unreachable).out == "nothing reaches this\n")
            #expect(try repo.blob(#require(ObjectID(hex: unreachable))) == Array("nothing reaches this\n".utf8))
            #expect(try git(dir, "fsck", "--strict").status == 0)
            // A second repack changes nothing it should not.
            let again = try repo.repack()
            #expect(again.packsKept == 2)
            #expect(repo.packFileCount() == 3)
        }
    }

    @Test func anIndexLeftAloneByARepackKilledHalfwayIsRemovedByTheNext() throws {
        try withScratchRepo { repo, dir in
            // Given two packs, the index of one of them kept aside,
            var tip = try commit(repo, ["README": "x\n"], parent: nil)
            tip = try commit(repo, Self.manyFiles(1), parent: tip)
            tip = try commit(repo, Self.manyFiles(2), parent: tip)
            let folder = dir + "/.git/objects/pack/"
            let index = try #require(Self.packFiles(dir).first { $0.hasSuffix(".idx") })
            let aside = dir + "/aside.idx"
            try FileManager.default.copyItem(atPath: folder + index, toPath: aside)
            // and a repack killed after removing that pack's .pack but before its .idx (put back here),
            _ = try repo.repack()
            try FileManager.default.copyItem(atPath: aside, toPath: folder + index)
            #expect(repo.packFileCount() == 2)
            // git and a fresh handle read everything,
            #expect(try git(dir, "fsck", "--strict").status == 0)
            let fresh = try GitRepository.open(at: dir)
            #expect(try fresh.treeFiles(at: tip, under: ["versions"]).count == GitRepository.packThreshold + 6)
            // and the next repack removes the index left alone.
            let report = try repo.repack()
            #expect(report.packsRemoved == 1)
            #expect(repo.packFileCount() == 1)
            #expect(!FileManager.default.fileExists(atPath: folder + index))
        }
    }

    @Test func aHandleThatReleasedItsCachesHoldsNoPackAndStillReads() throws {
        try withScratchRepo { repo, dir in
            // Given a handle that has read from a pack,
            var tip = try commit(repo, ["README": "x\n"], parent: nil)
            tip = try commit(repo, Self.manyFiles(1), parent: tip)
            let files = try repo.treeFiles(at: tip, under: ["versions"])
            #expect(String(decoding: try repo.blob(files[0].blob), as: UTF8.self).hasPrefix("round 1 value "))
            #expect(!Self.heldFiles(under: dir + "/.git/objects/pack").isEmpty)
            // When it releases its caches,
            try repo.releaseCaches()
            // Then it holds no pack file open or mapped, and reads on as before.
            #expect(Self.heldFiles(under: dir + "/.git/objects/pack").isEmpty)
            #expect(try repo.treeFiles(at: tip, under: ["versions"]) == files)
            #expect(try repo.headCommit() == tip)
        }
    }

    @Test func anEmptyRepositoryHasNothingToRepack() throws {
        try withScratchRepo { repo, _ in
            let report = try repo.repack()
            #expect(report == RepackReport(packsBefore: 0, packsAfter: 0, objects: 0, packsRemoved: 0, packsKept: 0, looseObjectsRemoved: 0))
        }
    }

    @Test func looseObjectsAreEstimatedFromOneFolder() throws {
        try withScratchRepo { repo, dir in
            #expect(repo.looseObjectEstimate() == 0)
            try FileManager.default.createDirectory(atPath: dir + "/.git/objects/17", withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: dir + "/.git/objects/17/" + String(repeating: "0", count: 38), contents: Data()))
            #expect(repo.looseObjectEstimate() == 256)
        }
    }
}

/// Runs `command` with `sh -c` in `dir`; its standard output, trimmed.
private func shell(_ dir: String, _ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.currentDirectoryURL = URL(fileURLWithPath: dir)
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
