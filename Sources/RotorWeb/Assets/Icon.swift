/// The page's icon (`/static/icon.svg`): a rotor, drawn in SVG so no image file ships.
enum Icon {
    static let svg = #"""
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#0a58ca"/><path d="M16 5a11 11 0 0 1 10.4 7.4l-3.6 1.2A7.2 7.2 0 0 0 16 8.8zM27 18.4A11 11 0 0 1 12 26.4l1.5-3.5a7.2 7.2 0 0 0 9.8-5.2zM8.6 24.1A11 11 0 0 1 6.6 10l3.2 2a7.2 7.2 0 0 0 1.3 9.2z" fill="#fff"/><circle cx="16" cy="16" r="3" fill="#fff"/></svg>
"""#
}
