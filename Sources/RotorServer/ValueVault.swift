import Dispatch
import Foundation
import RotorCrypto
import Synchronization

/// Decrypted values of live versions, each decrypted once and kept in memory pinned with
/// `mlock` (never swapped), wiped when its version stops being live or the server stops.
///
/// A burst of first reads of one version waits for a single decryption (one `gpg` run), not
/// one each: the thundering herd after a rotation costs one decryption per version.
final class ValueVault: Sendable {
    private enum Slot {
        case ready(SecretBytes)
        case decrypting([CheckedContinuation<SecretBytes, any Error>])
    }

    private let gpgHome: String?
    private let slots = Mutex<[String: Slot]>([:])
    private let decryptions = DispatchQueue(label: "rotor.vault", attributes: .concurrent)

    init(gpgHome: String?) {
        self.gpgHome = gpgHome
    }

    /// The plaintext of version `versionID`, decrypting `ciphertext` on first use.
    func value(versionID: String, ciphertext: String) async throws -> SecretBytes {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SecretBytes, any Error>) in
            enum Next { case done(SecretBytes), wait, decrypt }
            let next = slots.withLock { slots -> Next in
                switch slots[versionID] {
                case .ready(let value): return .done(value)
                case .decrypting(var waiting):
                    waiting.append(continuation)
                    slots[versionID] = .decrypting(waiting)
                    return .wait
                case nil:
                    slots[versionID] = .decrypting([continuation])
                    return .decrypt
                }
            }
            switch next {
            case .done(let value): continuation.resume(returning: value)
            case .wait: break
            case .decrypt: decryptions.async { self.decrypt(versionID: versionID, ciphertext: ciphertext) }
            }
        }
    }

    private func decrypt(versionID: String, ciphertext: String) {
        let result = Result { try SecretBytes(lockedCopyOf: GPGContext(homeDirectory: gpgHome).decrypt(ciphertext)) }
        let waiting = slots.withLock { slots -> [CheckedContinuation<SecretBytes, any Error>] in
            guard case .decrypting(let waiting) = slots[versionID] else { return [] }
            if case .success(let value) = result { slots[versionID] = .ready(value) } else { slots[versionID] = nil }
            return waiting
        }
        for continuation in waiting { continuation.resume(with: result) }
    }

    /// Drops (and so wipes) every value whose version is not in `live`.
    func retain(only live: Set<String>) {
        let dropped = slots.withLock { slots -> [Slot] in
            let gone = slots.keys.filter { !live.contains($0) }
            return gone.compactMap { key -> Slot? in
                guard case .ready = slots[key] else { return nil }
                return slots.removeValue(forKey: key)
            }
        }
        // Released here, outside the lock: the last reference wipes each buffer.
        _ = dropped
    }

    /// Drops every decrypted value (the server is stopping).
    func removeAll() {
        let dropped = slots.withLock { slots -> [String: Slot] in
            let all = slots.filter { if case .ready = $0.value { return true } else { return false } }
            for key in all.keys { slots[key] = nil }
            return all
        }
        _ = dropped
    }

    /// How many values are held decrypted (for tests and metrics).
    var count: Int {
        slots.withLock { slots in slots.values.filter { if case .ready = $0 { return true } else { return false } }.count }
    }
}
