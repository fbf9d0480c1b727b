import Foundation
import Hummingbird
import RotorAPIContract
import RotorServer

extension Pages {
    /// `GET /forecast?days=30|90`: what rotates, warns and expires, as a timeline and a table.
    func forecast(_ request: Request, _ context: ServerContext) async -> Response {
        await page(request, context) { visit in
            let days = Form(visit.request.uri.query)["days"].flatMap(Int.init).map { min(max($0, 1), 3_660) } ?? 30
            let entries = try await visit.call { [controlPlane] in
                try await controlPlane.getForecast(.init(query: .init(days: days))).ok.body.json.entries
            }
            let now = visit.now
            let timeline = ForecastTimeline(entries: entries, days: days, now: now)
            let counts = Dictionary(grouping: entries, by: \.kind).mapValues(\.count)
            let summary = Components.Schemas.ForecastEntry.KindPayload.allCases.compactMap { kind in
                counts[kind].map { "\($0) \(kind.rawValue)" }
            }.joined(separator: ", ")
            return PageView(template: "forecast", title: "Forecast", section: .forecast, model: [
                "days": days, "ranges": [30, 90].map { ["days": $0, "current": $0 == days] as [String: Any] },
                "timeline": timeline, "hasEntries": !entries.isEmpty,
                "summary": summary.isEmpty ? "nothing" : summary,
                "entries": entries.map { entry -> [String: Any] in
                    ["at": TimeView(entry.at, now: now), "kind": entry.kind.rawValue, "resource": entry.resource.rawValue,
                     "secret": entry.secret, "isKey": entry.resource == .key, "version": entry.version, "consumers": entry.consumers.joined(separator: ", "),
                     "href": entry.resource == .secret ? "/secrets/\(entry.secret)" : "/keys"]
                },
            ])
        }
    }
}
