extension Templates {
    /// The audit log, filterable, with whether its hash chain verifies.
    static let audit = #"""
{{<layout}}
{{$content}}
<h1>Audit</h1>
{{#intact}}<p class="flash flash-success" role="status">The audit log's hash chain verifies: no entry was changed or removed.</p>{{/intact}}
{{^intact}}<p class="flash flash-error" role="alert">The audit log's hash chain does NOT verify: {{problem}}</p>{{/intact}}
<form method="get" action="/audit" class="filters" role="search" aria-label="Filter the audit log">
  <div class="field">
    <label for="filter-action">Action</label>
    <input id="filter-action" name="action" list="audit-actions" value="{{action}}" spellcheck="false">
    <datalist id="audit-actions">{{#actions}}<option value="{{name}}"></option>{{/actions}}</datalist>
  </div>
  <div class="field">
    <label for="filter-since">Since</label>
    <input id="filter-since" name="since" type="date" value="{{since}}">
  </div>
  <div class="field actions"><button type="submit">Filter</button> <a href="/audit">Clear</a></div>
</form>
{{^hasEntries}}<p>No entry matches.</p>{{/hasEntries}}
{{#hasEntries}}
<div class="table-wrap" role="region" aria-labelledby="audit-caption" tabindex="0">
<table class="audit">
  <caption id="audit-caption">Audit entries, oldest first{{#paged}} (continued){{/paged}}</caption>
  <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
  <tbody>
  {{#entries}}
  <tr><th scope="row">{{seq}}</th><td><time datetime="{{at.iso}}">{{at.text}}</time></td><td><code>{{action}}</code></td><td>{{actor}}</td><td>{{target}}</td><td><code class="meta">{{metadata}}</code></td></tr>
  {{/entries}}
  </tbody>
</table>
</div>
{{/hasEntries}}
{{#next}}<p><a href="{{next}}" rel="next">Next entries</a></p>{{/next}}
{{/content}}
{{/layout}}
"""#
}
