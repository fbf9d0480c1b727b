import GRDB
import GRDBSQLite

/// A cached statement run with its values bound straight to SQLite: no `StatementArguments`,
/// no boxed values. For the few statements a delivery pass runs per batch with hundreds of
/// values (GRDB's argument conversion cost more than SQLite's work there).
///
/// Runs inside GRDB's transaction like any statement; GRDB's per-statement hooks (observation,
/// authorizers) are not involved, so only plain `INSERT`/`UPDATE` statements of tables nobody
/// observes go through it.
struct BoundStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private var index: CInt = 0

    /// The cached statement for `sql`, reset, with no value bound yet.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds the next parameter (`?`, in order).
    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: Int?) {
        guard let value else {
            index += 1
            sqlite3_bind_null(handle, index)
            return
        }
        bind(Int64(value))
    }

    /// Binds text (SQLite keeps its own copy).
    mutating func bind(_ value: String) {
        index += 1
        var text = value
        text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress {
                    _ = sqlite3_bind_text(handle, index, base, CInt(chars.count), Self.transient)
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
                }
            }
        }
    }

    /// Runs it to its end.
    ///
    /// - Throws: `DatabaseError` with SQLite's message and the statement.
    func run(_ db: Database) throws {
        precondition(index == sqlite3_bind_parameter_count(handle), "every parameter is bound")
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            if code != SQLITE_ROW {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: statement.sql)
            }
        }
    }

    /// SQLite copies the bytes before `bind` returns.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
