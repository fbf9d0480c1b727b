import Foundation
import Testing
@testable import RotorGit

@Suite struct BlobTests {
    @Test func binaryBytesRoundTrip() throws {
        try withScratchRepo { repo, dir in
            // Given every byte value, NULs included
            let bytes: [UInt8] = Array(0...255) + [0, 0, 0xff, 0x0a, 0x0d] + Array(repeating: 0, count: 1000)
            let head = try repo.commit(changes: ["bin/data.gpg": bytes, "empty": []], parent: nil, ref: "refs/heads/main",
                                       message: "binary", author: signature(), committer: signature())
            // When
            let (id, read) = try #require(try repo.blobIfExists(at: "bin/data.gpg", in: head))
            // Then
            #expect(read == bytes)
            #expect(try repo.blob(id) == bytes)
            #expect([UInt8](try git(dir, "cat-file", "blob", id.hex).stdout) == bytes)
            #expect(try repo.blobIfExists(at: "empty", in: head)?.1 == [])
        }
    }

    @Test func missingPathsAndDirectoriesGiveNil() throws {
        try withScratchRepo { repo, _ in
            let head = try commit(repo, ["d/f.txt": "f"], parent: nil)
            #expect(try repo.blobIfExists(at: "nope", in: head) == nil)
            #expect(try repo.blobIfExists(at: "d/nope", in: head) == nil)
            #expect(try repo.blobIfExists(at: "d", in: head) == nil)
            #expect(try repo.blobIfExists(at: "d/f.txt/x", in: head) == nil)
        }
    }

    @Test func unknownBlobThrows() throws {
        try withScratchRepo { repo, _ in
            let missing = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
            let error = #expect(throws: GitError.self) { try repo.blob(missing) }
            #expect(error?.isNotFound == true)
        }
    }

    @Test func manyBlobsReadOnSeveralThreadsComeBackInOrder() throws {
        try withScratchRepo { repo, _ in
            var changes: [String: [UInt8]] = [:]
            for index in 0..<600 { changes["f/\(index)"] = Array("value \(index)\n".utf8) }
            let head = try repo.commit(changes: changes, parent: nil, ref: "refs/heads/main", message: "many",
                                       author: signature(), committer: signature())
            let files = try repo.treeFiles(at: head, under: ["f"]).shuffled()
            let read = try repo.blobs(files.map(\.blob), threads: 3)
            #expect(read == files.map { changes[$0.path]! })
            // One id that is not there fails the whole read.
            let missing = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
            #expect(throws: GitError.self) { try repo.blobs(files.map(\.blob) + [missing], threads: 2) }
        }
    }
}

