import HTTPTypes

/// A page to render: its template, title, place in the navigation, model and status.
struct PageView {
    let template: String
    let title: String
    let section: Section?
    var model: [String: Any]
    var status: HTTPResponse.Status = .ok
}
