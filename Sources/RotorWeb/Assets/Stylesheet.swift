/// The page's only stylesheet, served at `/static/rotor.css`: plain CSS, no framework. Colours
/// keep text at WCAG AA contrast (4.5:1) or better; focus is always visible; one column on phones.
enum Stylesheet {
    static let css = #"""
:root {
  --text: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --link: #0a58ca;
  --ok-bg: #dafbe1; --ok: #0f5323; --bad-bg: #ffebe9; --bad: #a40e26; --warn-bg: #fff8c5; --warn: #6f4400;
  --info-bg: #ddf4ff; --info: #0550ae; --danger: #b42318;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--text); background: #fff; line-height: 1.45;
}
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--link); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.92em; }
h1 { font-size: 1.6rem; margin: 0.4rem 0 1rem; word-break: break-word; }
h2 { font-size: 1.2rem; margin: 0 0 0.6rem; }
h3 { font-size: 1rem; margin: 0 0 0.4rem; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 0.5rem 1rem; z-index: 10; }
.skip:focus { left: 0.5rem; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.5rem; padding: 0.6rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--soft); }
.brand { display: inline-flex; align-items: center; gap: 0.4rem; font-weight: 700; font-size: 1.15rem; color: var(--text); text-decoration: none; }
.top nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem; list-style: none; margin: 0; padding: 0; }
.top nav a { display: inline-block; padding: 0.35rem 0.65rem; border-radius: 6px; color: var(--text); text-decoration: none; }
.top nav a:hover { background: #eaeef2; }
.top nav a[aria-current="page"] { background: var(--text); color: #fff; }
.signout { margin-left: auto; display: flex; align-items: center; gap: 0.6rem; }
.who { color: var(--muted); font-size: 0.9rem; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
main:focus { outline: none; }
.bottom { border-top: 1px solid var(--line); color: var(--muted); font-size: 0.85rem; text-align: center; padding: 0.5rem; }
.panel { border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.1rem; margin: 1.25rem 0; background: #fff; }
.panel.danger { border-color: #f4b4ae; }
.flash { border-radius: 8px; padding: 0.75rem 1rem; margin: 0 0 1rem; border: 1px solid; }
.flash p { margin: 0 0 0.4rem; }
.flash p:last-child { margin-bottom: 0; }
.flash-success { background: var(--ok-bg); color: var(--ok); border-color: #1a7f37; }
.flash-error { background: var(--bad-bg); color: var(--bad); border-color: var(--bad); }
.plan-title { font-size: 1rem; margin-top: 0.6rem; color: var(--text); }
pre.plan, pre.value { background: var(--soft); color: var(--text); border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem; overflow-x: auto; white-space: pre; }
pre.value { white-space: pre-wrap; word-break: break-all; font-size: 1rem; }
.masked { font-size: 1.3rem; letter-spacing: 0.15em; color: var(--muted); margin: 0.2rem 0 0.6rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; margin: 0 0 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; word-break: break-word; }
.crumbs { margin: 0; color: var(--muted); }
.help { color: var(--muted); font-size: 0.9rem; }
.muted { color: var(--muted); }
.sub { color: var(--muted); font-size: 0.85rem; font-weight: normal; }
.count { color: var(--muted); margin: 0.5rem 0; }
.badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; background: #eaeef2; color: #424a53; white-space: nowrap; vertical-align: middle; }
.badge-active, .badge-completed, .badge-create { background: var(--ok-bg); color: var(--ok); }
.badge-grace, .badge-overlap, .badge-warn, .badge-running { background: var(--warn-bg); color: var(--warn); }
.badge-failed, .badge-revoked, .badge-expire { background: var(--bad-bg); color: var(--bad); }
.badge-pending, .badge-rotate { background: var(--info-bg); color: var(--info); }
.badge-replace { background: #fbefff; color: #6e36b8; }
.table-wrap { overflow-x: auto; margin: 0.5rem 0 1rem; border: 1px solid var(--line); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
caption { text-align: left; padding: 0.5rem 0.75rem; color: var(--muted); font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 0.5rem 0.75rem; border-top: 1px solid var(--line); }
thead th { background: var(--soft); border-top: none; font-size: 0.85rem; color: #424a53; white-space: nowrap; }
tbody th { font-weight: 600; }
code.meta { font-size: 0.8rem; word-break: break-all; }
td time { white-space: nowrap; }
label { font-weight: 600; }
input, select, textarea { font: inherit; color: var(--text); background: #fff; border: 1px solid #8c959f; border-radius: 6px; padding: 0.4rem 0.55rem; min-height: 2.4rem; max-width: 100%; }
textarea { width: 100%; }
button { font: inherit; font-weight: 600; border: 1px solid var(--link); background: var(--link); color: #fff; border-radius: 6px; padding: 0.45rem 1rem; min-height: 2.4rem; cursor: pointer; }
button:hover { background: #084298; }
button.secondary { background: #fff; color: var(--text); border-color: #8c959f; }
button.secondary:hover { background: #eaeef2; }
button.danger { background: var(--danger); border-color: var(--danger); }
button.danger:hover { background: #8c1b13; }
.stack { display: flex; flex-direction: column; gap: 0.4rem; align-items: flex-start; max-width: 36rem; }
.stack input:not([type="checkbox"]), .stack select { width: 100%; }
.check { display: flex; gap: 0.5rem; align-items: center; }
.check label { font-weight: normal; }
.check input { min-height: auto; width: 1.1rem; height: 1.1rem; }
.inline-form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
.inline-actions { display: flex; gap: 0.5rem; flex-wrap: wrap; }
.columns { display: flex; flex-wrap: wrap; gap: 1.5rem 3rem; }
.columns > * { flex: 1 1 20rem; }
.filters { display: flex; flex-wrap: wrap; gap: 0.75rem 1rem; align-items: flex-end; margin-bottom: 0.5rem; }
.field { display: flex; flex-direction: column; gap: 0.25rem; }
.field.actions { flex-direction: row; align-items: center; gap: 0.75rem; }
.field button { align-self: flex-start; }
.grid-form { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.75rem 1rem; }
.grid-form .wide { grid-column: 1 / -1; }
.grid-form .field input { width: 100%; }
.signin { max-width: 34rem; margin: 2rem auto; }
.signin input { width: 100%; }
.timeline { list-style: none; margin: 0; padding: 0 0 0 1.2rem; border-left: 3px solid var(--line); }
.timeline li { position: relative; margin: 0 0 1rem; padding-left: 0.6rem; }
.timeline li::before { content: ""; position: absolute; left: -1.72rem; top: 0.35rem; width: 0.85rem; height: 0.85rem; border-radius: 50%; background: #8c959f; border: 2px solid #fff; }
.timeline li.state-active::before { background: #1a7f37; }
.timeline li.state-grace::before { background: #bf8700; }
.timeline p { margin: 0.1rem 0; }
.ranges { display: flex; gap: 0.5rem; margin-bottom: 0.5rem; }
.ranges a { padding: 0.35rem 0.75rem; border: 1px solid var(--line); border-radius: 6px; text-decoration: none; }
.ranges a[aria-current="page"] { background: var(--text); color: #fff; border-color: var(--text); }
.timeline-figure { margin: 0.5rem 0 1rem; border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem; overflow-x: auto; }
svg.forecast { width: 100%; min-width: 40rem; height: auto; display: block; }
svg .tick { stroke: var(--line); stroke-width: 1; }
svg .tick-label { font-size: 12px; fill: #424a53; }
svg .lane { stroke: #eaeef2; stroke-width: 1; }
svg .lane-label { font-size: 12px; fill: var(--text); }
.mark { stroke: #fff; stroke-width: 1; }
.mark-rotate { fill: var(--link); }
.mark-warn { fill: #9a6700; }
.mark-expire { fill: var(--danger); }
.mark-create { fill: #1a7f37; }
.mark-replace { fill: #8250df; }
.legend { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; list-style: none; padding: 0; margin: 0.4rem 0 0; font-size: 0.9rem; }
.legend svg { width: 14px; height: 14px; vertical-align: -2px; }
@media (max-width: 720px) {
  .top { padding: 0.5rem 0.75rem; }
  .signout { margin-left: 0; width: 100%; justify-content: space-between; }
  main { padding: 0.75rem 0.75rem 2rem; }
  h1 { font-size: 1.35rem; }
  .grid-form { grid-template-columns: 1fr; }
  .facts { grid-template-columns: 1fr; gap: 0 0; }
  .facts dd { margin-bottom: 0.4rem; }
  th, td { padding: 0.45rem 0.5rem; }
}
@media print { .top, .bottom, form { display: none; } }
"""#
}
