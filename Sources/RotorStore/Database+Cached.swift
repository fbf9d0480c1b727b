import GRDB

extension Database {
    /// Executes `sql` through the connection's statement cache: compiled once, reused for every
    /// row. A reconcile of a thousand versions runs the same few statements thousands of times.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
