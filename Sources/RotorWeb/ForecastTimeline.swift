import Foundation
import RotorAPIContract
import RotorCore

/// The forecast as a picture: one lane per secret or key, a mark per rotation, warning, expiry,
/// creation or replacement, placed by time across the next `days`. Pure geometry, rendered as
/// inline SVG by the `forecast` template (no script, no image request).
struct ForecastTimeline {
    /// The picture's coordinate width (it scales to the page with `viewBox`).
    static let width = 960.0
    static let labelWidth = 230.0
    static let rightPad = 24.0
    static let axisHeight = 34.0
    static let laneHeight = 28.0
    /// The most lanes drawn; the table below lists every entry.
    static let maximumLanes = 60

    struct Lane {
        let label: String
        let y: Double
        let lineY: Double
        let marks: [Mark]
    }

    struct Mark {
        let kind: String
        let path: String
        let title: String
    }

    struct Tick {
        let x: Double
        let label: String
    }

    let height: Double
    let lanes: [Lane]
    let ticks: [Tick]
    /// Lanes not drawn (past ``maximumLanes``), nil when every lane is drawn.
    let hiddenLanes: Int?
    let plotStart: Double
    let plotEnd: Double

    init(entries: [Components.Schemas.ForecastEntry], days: Int, now: Date) {
        let span = Double(days) * 86_400
        let start = Self.labelWidth, end = Self.width - Self.rightPad
        func x(_ date: Date) -> Double {
            start + min(max(date.timeIntervalSince(now) / span, 0), 1) * (end - start)
        }
        // Lanes in order of their first event, then by name.
        var order: [String] = []
        var byLane: [String: [Components.Schemas.ForecastEntry]] = [:]
        for entry in entries.sorted(by: { $0.at != $1.at ? $0.at < $1.at : NaturalOrder.less($0.secret, $1.secret) }) {
            let lane = (entry.resource == .key ? "key " : "") + entry.secret
            if byLane[lane] == nil { order.append(lane) }
            byLane[lane, default: []].append(entry)
        }
        let drawn = order.prefix(Self.maximumLanes)
        lanes = drawn.enumerated().map { index, lane in
            let y = Self.axisHeight + Double(index) * Self.laneHeight + Self.laneHeight / 2
            let marks = (byLane[lane] ?? []).map { entry in
                Mark(kind: entry.kind.rawValue, path: Self.shape(entry.kind, x: x(entry.at), y: y),
                     title: "\(lane): \(Self.verb(entry.kind)) v\(entry.version) at \(Formatting.stamp(entry.at)) (\(Formatting.relative(entry.at, now: now)))")
            }
            return Lane(label: lane.count > 30 ? String(lane.prefix(29)) + "…" : lane, y: y + 4, lineY: y, marks: marks)
        }
        hiddenLanes = order.count > drawn.count ? order.count - drawn.count : nil
        height = Self.axisHeight + Double(max(drawn.count, 1)) * Self.laneHeight + 8
        let step = days <= 31 ? 7 : days <= 120 ? 14 : 30
        ticks = stride(from: 0, through: days, by: step).map { day in
            let date = now.addingTimeInterval(Double(day) * 86_400)
            return Tick(x: x(date), label: day == 0 ? "now" : Formatting.day(date))
        }
        plotStart = start
        plotEnd = end
    }

    /// What an entry's kind means, in words.
    static func verb(_ kind: Components.Schemas.ForecastEntry.KindPayload) -> String {
        switch kind {
        case .create: "created as"
        case .rotate: "rotates to"
        case .warn: "warns before rotating"
        case .expire: "expires"
        case .replace: "is replaced after"
        }
    }

    /// A mark's outline at (x, y): a circle (rotate), a triangle (warn), a square (expire), a plus
    /// (create), a diamond (replace), so kinds differ by shape and not only by colour.
    static func shape(_ kind: Components.Schemas.ForecastEntry.KindPayload, x: Double, y: Double) -> String {
        func n(_ value: Double) -> String { String(format: "%.1f", value) }
        switch kind {
        case .rotate: return "M\(n(x - 6)),\(n(y)) a6,6 0 1,0 12,0 a6,6 0 1,0 -12,0 Z"
        case .warn: return "M\(n(x)),\(n(y - 7)) L\(n(x + 7)),\(n(y + 6)) L\(n(x - 7)),\(n(y + 6)) Z"
        case .expire: return "M\(n(x - 6)),\(n(y - 6)) h12 v12 h-12 Z"
        case .create: return "M\(n(x - 2)),\(n(y - 7)) h4 v5 h5 v4 h-5 v5 h-4 v-5 h-5 v-4 h5 Z"
        case .replace: return "M\(n(x)),\(n(y - 7)) L\(n(x + 7)),\(n(y)) L\(n(x)),\(n(y + 7)) L\(n(x - 7)),\(n(y)) Z"
        }
    }
}
