import CGit2

extension GitRepository {
    /// The `user.name` and `user.email` git would commit with (repository, global and system config),
    /// or nil unless both are set and non-empty (`git_repository_config_snapshot`, `git_config_get_string`).
    ///
    /// Never throws: an unreadable config is treated as "no identity configured".
    public func configuredIdentity() -> (name: String, email: String)? {
        var config: OpaquePointer?
        guard (try? check(git_repository_config_snapshot(&config, pointer), "git_repository_config_snapshot")) != nil,
              let config else { return nil }
        defer { git_config_free(config) }
        // Strings from git_config_get_string belong to the snapshot: copy before it is freed.
        func read(_ key: String) -> String? {
            var value: UnsafePointer<CChar>?
            guard (try? check(git_config_get_string(&value, config, key), "git_config_get_string")) != nil,
                  let value else { return nil }
            let text = String(cString: value)
            return text.isEmpty ? nil : text
        }
        guard let name = read("user.name"), let email = read("user.email") else { return nil }
        return (name, email)
    }
}
