import RotorCore

/// Pure OpenPGP text helpers (no gpgme): recognize armored encrypted messages and normalize fingerprints.
///
/// Internal on purpose: the public `OpenPGPArmor` lives in RotorCore (the pure core, usable by
/// RotorSpecs without gpgme), and a second public type of that name here would make every module
/// importing both RotorCore and RotorCrypto fail with "ambiguous for type lookup". This copy is
/// stricter (it walks the session-key packets to an encrypted data packet) and guards `decrypt`.
enum OpenPGPMessageArmor {
    static let beginMessage = "-----BEGIN PGP MESSAGE-----"
    static let endMessage = "-----END PGP MESSAGE-----"

    /// True when `text` is exactly one ASCII-armored OpenPGP *encrypted* message.
    ///
    /// Checks, in order: `BEGIN/END PGP MESSAGE` lines (surrounding blank lines, CRLF and trailing
    /// spaces tolerated); optional `Key: Value` armor headers and the blank separator line; a
    /// strictly valid base64 body; the optional `=XXXX` CRC-24 line, which must match if present;
    /// and a packet sequence that starts with a public-key (tag 1) or symmetric-key (tag 3)
    /// encrypted session key and, after any further session-key packets, reaches an encrypted
    /// data packet (tags 9, 18 or 20). Old and new packet formats are accepted. Signed-only,
    /// compressed or literal messages, and key blocks, are rejected.
    static func isEncryptedMessage(_ text: String) -> Bool {
        guard let body = dearmor(text, begin: beginMessage, end: endMessage) else { return false }
        return OpenPGPPackets.isEncryptedMessage(body)
    }

    /// Normalizes a fingerprint: removes spaces and tabs and uppercases it.
    ///
    /// - Returns: The normalized fingerprint if it is 40 (v4) or 64 (v5/v6) hex digits, else `nil`.
    static func normalizeFingerprint(_ s: String) -> String? { OpenPGPArmor.normalizeFingerprint(s) }

    /// Decodes the body of an armored block framed by `begin` and `end`, or `nil` when malformed.
    static func dearmor(_ text: String, begin: String, end: String) -> [UInt8]? {
        // "\r\n" is a single Character in Swift, so split on every kind of line end.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map { line -> Substring in
            var trimmed = line[...]
            while let last = trimmed.last, last == "\r" || last == " " || last == "\t" {
                trimmed = trimmed.dropLast()
            }
            return trimmed
        }
        while let first = lines.first, first.isEmpty { lines.removeFirst() }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard lines.count >= 3, lines.first == begin[...], lines.last == end[...] else { return nil }
        var inner = lines.dropFirst().dropLast()

        // Armor headers ("Version: …", "Comment: …"): base64 never contains ':'.
        while let line = inner.first, line.contains(":") {
            guard isArmorHeader(line) else { return nil }
            inner.removeFirst()
        }
        if let line = inner.first, line.isEmpty { inner.removeFirst() }

        var checksumLine: Substring?
        if let last = inner.last, last.hasPrefix("=") {
            checksumLine = last
            inner.removeLast()
        }
        var encoded: [UInt8] = []
        for line in inner {
            guard !line.isEmpty else { return nil }
            encoded.append(contentsOf: line.utf8)
        }
        guard !encoded.isEmpty, let body = Base64.decode(encoded), !body.isEmpty else { return nil }

        if let checksumLine {
            let digits = Array(checksumLine.utf8.dropFirst())
            guard digits.count == 4, let crc = Base64.decode(digits), crc.count == 3 else { return nil }
            let expected = UInt32(crc[0]) << 16 | UInt32(crc[1]) << 8 | UInt32(crc[2])
            guard OpenPGPArmor.crc24(body) == expected else { return nil }
        }
        return body
    }

    /// `Key: Value` with a non-empty key of printable ASCII and no spaces.
    private static func isArmorHeader(_ line: Substring) -> Bool {
        guard let colon = line.firstIndex(of: ":") else { return false }
        let key = line[..<colon]
        let rest = line[line.index(after: colon)...]
        guard !key.isEmpty, key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        return rest.isEmpty || rest.hasPrefix(" ")
    }
}
