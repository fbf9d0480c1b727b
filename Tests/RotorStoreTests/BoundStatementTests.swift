import Foundation
import GRDB
import Testing
@testable import RotorStore

@Suite("Statements with values bound straight to SQLite")
struct BoundStatementTests {
    @Test func valuesGoInWholeAndErrorsNameTheStatement() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (a INTEGER NOT NULL, b TEXT NOT NULL, c INTEGER CHECK (c IS NULL OR c >= 0))")
            let sql = "INSERT INTO t (a, b, c) VALUES (?, ?, ?), (?, ?, ?)"
            // Text (empty, multi-byte), integers, and NULL.
            var statement = try BoundStatement(db, sql: sql)
            statement.bind(Int64.max)
            statement.bind("")
            statement.bind(nil as Int?)
            statement.bind(-1)
            statement.bind("évènement 🔑")
            statement.bind(7 as Int?)
            try statement.run(db)
            let rows = try Row.fetchAll(db, sql: "SELECT a, b, c FROM t ORDER BY rowid")
            #expect(rows == [["a": Int64.max, "b": "", "c": nil], ["a": -1, "b": "évènement 🔑", "c": 7]])
            #expect(try Int.fetchOne(db, sql: "SELECT length(CAST(b AS BLOB)) FROM t WHERE a = -1") == "évènement 🔑".utf8.count)

            // A value the table refuses: SQLite's error, naming the statement; the statement can run again.
            var refused = try BoundStatement(db, sql: sql)
            for value in [1, 2, -5, 3, 4, 5] { value == 2 || value == 4 ? refused.bind("x") : refused.bind(value) }
            let error = try #require(throws: DatabaseError.self) { try refused.run(db) }
            #expect(error.resultCode == .SQLITE_CONSTRAINT && error.sql == sql)
            var again = try BoundStatement(db, sql: sql)
            for value in [1, 2, 3, 4, 5, 6] { value % 2 == 0 ? again.bind("y") : again.bind(value) }
            try again.run(db)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") == 4)
        }
    }
}
