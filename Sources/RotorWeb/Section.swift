/// The page's sections, in the navigation's order.
enum Section: CaseIterable {
    case secrets, keys, jobs, webhooks, audit, forecast

    var path: String {
        switch self {
        case .secrets: "/"
        case .keys: "/keys"
        case .jobs: "/jobs"
        case .webhooks: "/webhooks"
        case .audit: "/audit"
        case .forecast: "/forecast"
        }
    }

    var label: String {
        switch self {
        case .secrets: "Secrets"
        case .keys: "API keys"
        case .jobs: "Jobs"
        case .webhooks: "Webhooks"
        case .audit: "Audit"
        case .forecast: "Forecast"
        }
    }
}
