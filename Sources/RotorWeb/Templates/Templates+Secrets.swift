extension Templates {
    /// The secrets list, its filter and the form that proposes a new secret.
    static let secrets = #"""
{{<layout}}
{{$content}}
<h1>Secrets</h1>
<form method="get" action="/" class="filters" role="search" aria-label="Filter secrets">
  <div class="field">
    <label for="filter-project">Project</label>
    <select id="filter-project" name="project">
      <option value="">All projects</option>
      {{#projects}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/projects}}
    </select>
  </div>
  <div class="field">
    <label for="filter-name">Name contains</label>
    <input id="filter-name" name="name" type="search" value="{{nameFilter}}">
  </div>
  <div class="field actions">
    <button type="submit">Filter</button>
    {{#filtered}}<a href="/">Clear</a>{{/filtered}}
  </div>
</form>
<p class="count" role="status">{{count}} of {{total}} secrets</p>
<div class="table-wrap" role="region" aria-labelledby="secrets-caption" tabindex="0">
<table class="secrets">
  <caption id="secrets-caption">Secrets, in natural order</caption>
  <thead>
    <tr><th scope="col">Secret</th><th scope="col">Version</th><th scope="col">Last rotated</th><th scope="col">Next due</th><th scope="col">In grace</th><th scope="col">Consumers</th></tr>
  </thead>
  <tbody>
    {{#rows}}
    <tr>
      <th scope="row"><a href="{{href}}">{{id}}</a>{{#external}} <span class="badge">external</span>{{/external}}<div class="sub">policy {{policy}}</div></th>
      <td>{{#version}}{{version}}{{/version}}{{^version}}<span class="muted">not applied</span>{{/version}}</td>
      <td>{{#lastRotated}}<time datetime="{{iso}}">{{text}}</time><div class="sub">{{relative}}</div>{{/lastRotated}}{{^lastRotated}}<span class="muted">—</span>{{/lastRotated}}</td>
      <td>{{#nextDue}}<time datetime="{{iso}}">{{text}}</time><div class="sub">{{relative}}</div>{{/nextDue}}{{^nextDue}}<span class="muted">not scheduled</span>{{/nextDue}}</td>
      <td>{{#grace}}<div><span class="badge badge-grace">v{{version}}</span> {{left}}</div>{{/grace}}{{^grace}}<span class="muted">none</span>{{/grace}}</td>
      <td>{{consumers}}{{^consumers}}<span class="muted">none</span>{{/consumers}}</td>
    </tr>
    {{/rows}}
    {{^rows}}<tr><td colspan="6">No secret matches.</td></tr>{{/rows}}
  </tbody>
</table>
</div>

<section aria-labelledby="propose-title" class="panel">
  <h2 id="propose-title">Propose a new secret</h2>
  {{#canPropose}}
  <p class="help">This writes the spec on a new branch <code>rotor/proposals/…</code> with its pull request plan. Nothing changes until a reviewed pull request merges it.</p>
  <form method="post" action="/secrets" class="grid-form" data-confirm="Propose this secret on a new branch?">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <div class="field"><label for="new-project">Project</label><input id="new-project" name="project" required pattern="[a-z0-9][a-z0-9._\-]{0,99}" aria-describedby="name-help"></div>
    <div class="field"><label for="new-name">Name</label><input id="new-name" name="name" required pattern="[a-z0-9][a-z0-9._\-]{0,99}" aria-describedby="name-help"></div>
    <div class="field"><label for="new-policy">Policy</label><input id="new-policy" name="policy" required list="policy-names"></div>
    <datalist id="policy-names">{{#policies}}<option value="{{name}}"></option>{{/policies}}</datalist>
    <p id="name-help" class="help wide">Lower-case letters, digits, dashes, underscores and dots.</p>
    <div class="field wide"><label for="new-description">Description (optional)</label><input id="new-description" name="description" maxlength="500"></div>
    <div class="field wide"><label for="new-consumers">Consumers (optional, one per line: a service, then its webhook URL if it has one)</label><textarea id="new-consumers" name="consumers" rows="3" spellcheck="false"></textarea></div>
    <div class="field wide"><label for="new-reason">Reason</label><input id="new-reason" name="reason" required maxlength="500"></div>
    <div class="field wide"><button type="submit">Propose</button></div>
  </form>
  {{/canPropose}}
  {{^canPropose}}<p class="help">Proposing needs a key with <code>rotor:proposals:write</code>.</p>{{/canPropose}}
</section>
{{/content}}
{{/layout}}
"""#
}
