import Foundation
import RotorCore
import RotorWebhooks

/// Text for what a delivery pass did: one line per attempt, then a summary.
enum DeliveryRendering {
    static func text(_ report: DeliveryReport, now: Date) -> String {
        guard !report.results.isEmpty else { return "No webhook deliveries due at \(RFC3339.format(now)).\n" }
        var text = ""
        for result in report.results {
            let head = "\(result.eventType) \(result.eventID) → \(result.service) \(result.url) (attempt \(result.attempt), \(result.jobID))"
            switch result.result {
            case .delivered:
                text += "  delivered  \(head): \(result.statusCode.map(String.init) ?? "2xx") in \(result.latencyMS) ms\n"
            case .retrying:
                text += "  retry      \(head): \(result.error ?? "failed"); next attempt at \(result.nextAttemptAt.map(RFC3339.format) ?? "?")\n"
            case .failed:
                text += "  FAILED     \(head): \(result.error ?? "failed"); that was the last attempt: `rotor jobs retry \(result.jobID)` tries again\n"
            case .endpointDisabled:
                text += "  DISABLED   \(head): \(result.error ?? "410 Gone"); endpoint \(result.url) is disabled: `rotor jobs retry \(result.jobID)` enables it again\n"
            case .notSent:
                text += "  NOT SENT   \(head): \(result.error ?? "not sent")\n"
            case .released:
                text += "  postponed  \(head): \(result.error ?? "out of time"); it runs in the next pass\n"
            }
        }
        let retrying = report.results.filter { $0.result == .retrying }.count
        let failed = report.results.filter { $0.result == .failed || $0.result == .endpointDisabled }.count
        let notSent = report.results.filter { $0.result == .notSent }.count
        let postponed = report.results.filter { $0.result == .released }.count
        var parts = ["\(report.delivered) delivered"]
        if retrying > 0 { parts.append("\(retrying) to retry") }
        if failed > 0 { parts.append("\(failed) failed") }
        if notSent > 0 { parts.append("\(notSent) failed without a request") }
        if postponed > 0 { parts.append("\(postponed) postponed") }
        return "Webhooks: " + parts.joined(separator: ", ") + ".\n" + text
    }
}
