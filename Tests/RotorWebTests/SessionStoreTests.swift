import Foundation
import Testing
import RotorCrypto
@testable import RotorWeb

@Suite("Sessions: lifetime by the injected clock, tokens, capacity")
struct SessionStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aSessionEndsAtItsExpiryByTheClockItIsGiven() {
        let store = SessionStore(lifetime: 8 * 3_600)
        let session = store.start(key: SecretBytes(Array("rk_sec_example".utf8)), now: t0)
        #expect(store.session(session.id, now: t0.addingTimeInterval(8 * 3_600 - 1)) === session)
        #expect(store.session(session.id, now: t0.addingTimeInterval(8 * 3_600)) == nil)
        // Dropped at that lookup: it does not come back if the clock is moved back.
        #expect(store.session(session.id, now: t0) == nil)
        #expect(store.count == 0)
    }

    @Test func signOutEndsTheSession() {
        let store = SessionStore(lifetime: 60)
        let session = store.start(key: SecretBytes(Array("k".utf8)), now: t0)
        store.end(session.id)
        #expect(store.session(session.id, now: t0) == nil)
    }

    @Test func tokensAreLongRandomAndCookieSafe() {
        let tokens = (0..<100).map { _ in SessionStore.token() }
        #expect(Set(tokens).count == 100)
        #expect(tokens.allSatisfy { $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
        #expect(SessionStore.same(tokens[0], tokens[0]))
        #expect(!SessionStore.same(tokens[0], tokens[1]))
        #expect(!SessionStore.same("", ""))
    }

    @Test func pastCapacityTheSessionThatExpiresFirstEnds() {
        let store = SessionStore(lifetime: 60, capacity: 2)
        let first = store.start(key: SecretBytes([1]), now: t0)
        let second = store.start(key: SecretBytes([2]), now: t0.addingTimeInterval(1))
        let third = store.start(key: SecretBytes([3]), now: t0.addingTimeInterval(2))
        #expect(store.session(first.id, now: t0.addingTimeInterval(3)) == nil)
        #expect(store.session(second.id, now: t0.addingTimeInterval(3)) === second)
        #expect(store.session(third.id, now: t0.addingTimeInterval(3)) === third)
    }

    @Test func theSessionsKeyBecomesTheBearerHeaderAndFlashesShowOnce() {
        let session = SessionStore(lifetime: 60).start(key: SecretBytes(Array("rk_sec_abc".utf8)), now: t0)
        #expect(session.authorization == "Bearer rk_sec_abc")
        session.add(Flash(kind: .success, text: "done"))
        #expect(session.takeFlashes().map(\.text) == ["done"])
        #expect(session.takeFlashes().isEmpty)
    }
}
