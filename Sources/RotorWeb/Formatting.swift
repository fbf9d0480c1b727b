import Foundation
import RotorCore

/// An instant as the page shows it: `<time datetime="…">2026-12-01 00:00 UTC</time>` and how far from now.
struct TimeView: Sendable {
    /// RFC 3339, for `datetime`.
    let iso: String
    /// `2026-12-01 00:00 UTC`.
    let text: String
    /// `in 29 d 4 h`, `3 h 10 min ago`.
    let relative: String

    init(_ date: Date, now: Date) {
        iso = RFC3339.format(date)
        text = Formatting.stamp(date)
        relative = Formatting.relative(date, now: now)
    }

    init?(_ date: Date?, now: Date) {
        guard let date else { return nil }
        self.init(date, now: now)
    }
}

/// How the page writes instants and durations: UTC to the minute, durations in the two largest units.
enum Formatting {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `2026-12-01 00:00 UTC`.
    static func stamp(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let value = value ?? 0; return value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute)) UTC"
    }

    /// `Dec 8`, for the forecast's axis.
    static func day(_ date: Date) -> String {
        let parts = calendar.dateComponents([.month, .day], from: date)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return "\(months[((parts.month ?? 1) - 1) % 12]) \(parts.day ?? 1)"
    }

    /// `in 29 d 4 h`, `3 h 10 min ago`, `now`.
    static func relative(_ date: Date, now: Date) -> String {
        let seconds = date.timeIntervalSince(now)
        if abs(seconds) < 60 { return "now" }
        return seconds > 0 ? "in \(duration(seconds))" : "\(duration(-seconds)) ago"
    }

    /// What is left until `end`: `23 h 10 min left`, or `ended`.
    static func left(until end: Date, now: Date) -> String {
        let seconds = end.timeIntervalSince(now)
        return seconds <= 0 ? "ended" : "\(duration(seconds)) left"
    }

    /// `29 d 4 h`, `3 h 10 min`, `12 min`: the two largest units.
    static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded(.down))
        let days = total / 86_400, hours = total % 86_400 / 3_600, minutes = total % 3_600 / 60
        if days > 0 { return hours > 0 ? "\(days) d \(hours) h" : "\(days) d" }
        if hours > 0 { return minutes > 0 ? "\(hours) h \(minutes) min" : "\(hours) h" }
        return "\(max(minutes, 1)) min"
    }

    /// `abc123def456`: a commit as people quote it.
    static func short(_ commit: String?) -> String? {
        commit.map { String($0.prefix(12)) }
    }
}
