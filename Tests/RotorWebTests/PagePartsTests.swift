import Foundation
import Testing
import RotorAPIContract
@testable import RotorWeb

@Suite("Page parts: forms, redirects after sign-in, templates, the forecast picture")
struct PagePartsTests {
    @Test(arguments: [
        ("/keys", "/keys"), ("/audit?action=secret.accessed&since=2026-12-01T00:00:00Z", "/audit?action=secret.accessed&since=2026-12-01T00:00:00Z"),
        ("//evil.example/", nil), ("/\\evil.example", nil), ("https://evil.example/", nil), ("/\t/evil.example", nil), ("keys", nil), ("/a b", nil),
    ] as [(String, String?)])
    func signInReturnsOnlyToAPathOfThisPage(next: String, expected: String?) {
        #expect(Pages.safeNext(next) == expected)
    }

    @Test func formsDecodePlusAndPercentAndIgnoreBlankFields() throws {
        let form = Form("csrf=abc&reason=suspected+leak%21&empty=&expireCurrent=on")
        #expect(form["reason"] == "suspected leak!")
        #expect(form["empty"] == nil)
        #expect(form.checked("expireCurrent"))
        #expect(!form.checked("other"))
        #expect(throws: (any Error).self) { try form.required("empty", "Empty") }
    }

    @Test func everyTemplateParsesAndEscapesWhatItIsGiven() throws {
        let renderer = try Renderer()
        let html = renderer.render("error", ["title": "<t>", "status": 403, "problemTitle": "Forbidden", "detail": "<script>alert(1)</script>",
                                             "back": nil as String? as Any])
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<script>alert"))
        // An absent optional renders as nothing, never "nil", and hides its section.
        #expect(!html.contains("nil"))
        #expect(!html.contains("Back</a>"))
        #expect(!html.contains("style="))
        for name in Templates.all.keys { #expect(!(Templates.all[name] ?? "").contains("{{{"), "\(name) must escape everything") }
    }

    @Test func theForecastPictureHasOneLanePerSecretAndAMarkPerEntryInsideThePlot() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let entries: [Components.Schemas.ForecastEntry] = [
            .init(at: now.addingTimeInterval(86_400 * 10), kind: .rotate, resource: .secret, secret: "payments/db", version: 2, consumers: []),
            .init(at: now.addingTimeInterval(86_400 * 9), kind: .warn, resource: .secret, secret: "payments/db", version: 2, consumers: []),
            .init(at: now.addingTimeInterval(86_400 * 40), kind: .expire, resource: .key, secret: "rotor/admin", version: 1, consumers: []),
        ]
        let timeline = ForecastTimeline(entries: entries, days: 30, now: now)
        #expect(timeline.lanes.map(\.label) == ["payments/db", "key rotor/admin"])
        #expect(timeline.lanes[0].marks.map(\.kind) == ["warn", "rotate"])
        #expect(timeline.hiddenLanes == nil)
        // Past the range, a mark sits at the plot's end rather than outside the picture.
        #expect(timeline.lanes[1].marks[0].path.hasPrefix("M\(String(format: "%.1f", ForecastTimeline.width - ForecastTimeline.rightPad - 6))"))
        #expect(timeline.ticks.first?.label == "now")
        #expect(timeline.ticks.count == 5)
        // Lanes whose first events coincide are in natural order.
        let tied = ForecastTimeline(entries: ["s10", "s2"].map {
            .init(at: now.addingTimeInterval(86_400), kind: .rotate, resource: .secret, secret: "search/\($0)", version: 2, consumers: [])
        }, days: 30, now: now)
        #expect(tied.lanes.map(\.label) == ["search/s2", "search/s10"])
    }
}
