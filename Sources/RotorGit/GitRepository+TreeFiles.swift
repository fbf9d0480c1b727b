import CGit2

extension GitRepository {
    /// Every file under the given prefixes in `commit`'s tree, sorted by path (byte order, as `git ls-tree -r`).
    ///
    /// Each prefix is located with `git_tree_entry_bypath` and only that subtree is walked
    /// (`git_tree_entrycount` / `git_tree_entry_byindex`), so unrelated top-level
    /// directories are never read. A prefix naming a file yields that file; a prefix that does
    /// not exist yields nothing. Overlapping prefixes do not duplicate entries. An empty
    /// `prefixes` array, or a prefix "" / ".", means the whole tree. Submodules are skipped.
    /// - Throws: `GitError` when the commit or a tree cannot be read.
    public func treeFiles(at commit: ObjectID, under prefixes: [String]) throws -> [TreeFile] {
        let roots = Self.outermostPrefixes(prefixes.isEmpty ? [""] : prefixes.map(normalizedRepoPath))
        var files: [TreeFile] = []
        try withTree(ofCommit: commit) { root in
            for prefix in roots {
                if prefix.isEmpty {
                    try collectFiles(in: root, path: "", into: &files)
                    continue
                }
                guard let found = try entry(at: prefix, in: root) else { continue }
                switch found.type {
                case GIT_OBJECT_BLOB:
                    files.append(TreeFile(path: prefix, blob: ObjectID(found.id), isSymlink: found.isSymlink))
                case GIT_OBJECT_TREE:
                    try withTree(found.id) { subtree in
                        try collectFiles(in: subtree, path: prefix + "/", into: &files)
                    }
                default:
                    continue
                }
            }
        }
        // Each subtree walk is already in git order (= byte order of full paths); only the
        // concatenation of several prefixes can be out of order.
        let inOrder: (TreeFile, TreeFile) -> Bool = { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        if zip(files, files.dropFirst()).allSatisfy({ inOrder($0, $1) }) { return files }
        return files.sorted(by: inOrder)
    }

    /// Drops duplicate prefixes and those inside another prefix, so walks never overlap.
    private static func outermostPrefixes(_ prefixes: [String]) -> [String] {
        if prefixes.contains("") { return [""] }
        let unique = Set(prefixes)
        return unique.filter { candidate in
            !unique.contains { other in other != candidate && candidate.hasPrefix(other + "/") }
        }.sorted()
    }

    /// Recursively appends every blob below `tree` to `files`, in tree order, named `path` + entry name.
    private func collectFiles(in tree: OpaquePointer, path: String, into files: inout [TreeFile]) throws {
        let count = git_tree_entrycount(tree)
        for index in 0..<count {
            // Entries from git_tree_entry_byindex are borrowed from the tree: not freed.
            guard let entry = git_tree_entry_byindex(tree, index),
                  let name = git_tree_entry_name(entry),
                  let id = git_tree_entry_id(entry) else {
                throw GitError.unexpectedNull("git_tree_entry_byindex")
            }
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                files.append(TreeFile(path: path + String(cString: name), blob: ObjectID(id.pointee),
                                      isSymlink: git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK))
            case GIT_OBJECT_TREE:
                let childPath = path + String(cString: name) + "/"
                try withTree(id.pointee) { subtree in
                    try collectFiles(in: subtree, path: childPath, into: &files)
                }
            default:
                continue  // GIT_OBJECT_COMMIT: a submodule, not a file
            }
        }
    }
}
