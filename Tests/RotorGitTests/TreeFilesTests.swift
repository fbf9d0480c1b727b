import Foundation
import Testing
@testable import RotorGit

@Suite struct TreeFilesTests {
    /// `git ls-tree -r HEAD` as path -> blob id.
    private func lsTree(_ dir: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for line in try git(dir, "ls-tree", "-r", "HEAD").lines {
            let parts = line.split(separator: "\t", maxSplits: 1)
            let meta = parts[0].split(separator: " ")
            result[String(parts[1])] = String(meta[2])
        }
        return result
    }

    @Test func prefixesSelectDirectoriesAndExactFiles() throws {
        try withScratchRepo { repo, dir in
            // Given a tree with wanted and unwanted files
            let head = try commit(repo, [
                "secrets/a.yaml": "a", "secrets/team/b.yaml": "b", "policies/p.yaml": "p",
                "rotor.yaml": "r", "other/x.txt": "x", "secrets-old/z.yaml": "z", "secrets.txt": "s",
            ], parent: nil)
            // When
            let files = try repo.treeFiles(at: head, under: ["secrets", "rotor.yaml", "missing", "policies/"])
            // Then only those, sorted, with the ids git reports
            #expect(files.map(\.path) == ["policies/p.yaml", "rotor.yaml", "secrets/a.yaml", "secrets/team/b.yaml"])
            let expected = try lsTree(dir)
            for file in files {
                #expect(file.blob.hex == expected[file.path])
            }
        }
    }

    @Test func emptyPrefixListIsWholeTreeInGitOrder() throws {
        try withScratchRepo { repo, dir in
            let head = try commit(repo, ["a.txt": "1", "a/b.txt": "2", "a-b/c": "3", "z": "4", "A": "5"], parent: nil)
            let files = try repo.treeFiles(at: head, under: [])
            #expect(files.map(\.path) == (try git(dir, "ls-tree", "-r", "--name-only", "HEAD").lines))
            #expect(try repo.treeFiles(at: head, under: ["a", "a/b.txt"]).map(\.path) == ["a/b.txt"])
        }
    }

    @Test func scalesToThousandsOfFiles() throws {
        try withScratchRepo { repo, dir in
            // Given 2,000 files under secrets/ spread over 20 teams, plus noise elsewhere
            var changes: [String: String?] = [:]
            for i in 0..<2_000 { changes["secrets/team\(i % 20)/s\(i).yaml"] = "value \(i)" }
            for i in 0..<300 { changes["docs/d\(i).md"] = "doc \(i)" }
            let head = try commit(repo, changes, parent: nil)
            // When
            let files = try repo.treeFiles(at: head, under: ["secrets"])
            // Then
            #expect(files.count == 2_000)
            #expect(Set(files.map(\.path)).count == 2_000)
            let expected = try lsTree(dir)
            #expect(files.allSatisfy { expected[$0.path] == $0.blob.hex })
        }
    }
}
