extension Templates {
    /// API keys, each with its versions and the Rotate and Revoke forms.
    static let keys = #"""
{{<layout}}
{{$content}}
<h1>API keys</h1>
{{^hasKeys}}<p>This repository declares no API key.</p>{{/hasKeys}}
{{^canManage}}{{#hasKeys}}<p class="help">Rotating and revoking need <code>rotor:keys:manage</code>.</p>{{/hasKeys}}{{/canManage}}
{{#keys}}
<section class="panel key" id="{{anchor}}" aria-labelledby="{{anchor}}-title">
  <h2 id="{{anchor}}-title">{{id}}{{#revoked}} <span class="badge badge-failed">revoked</span>{{/revoked}}{{#isYou}} <span class="badge">your key</span>{{/isYou}}</h2>
  <dl class="facts">
    <dt>Type</dt><dd>{{type}}</dd>
    <dt>Scopes</dt><dd><code>{{scopes}}</code></dd>
    <dt>Policy</dt><dd>{{policy}}</dd>
    <dt>Held by</dt><dd>{{consumers}}</dd>
  </dl>
  <div class="table-wrap" role="region" aria-label="Versions of {{id}}" tabindex="0">
  <table>
    <thead><tr><th scope="col">Version</th><th scope="col">State</th><th scope="col">Hint</th><th scope="col">Created</th><th scope="col">Expires or ended</th><th scope="col">Last used</th><th scope="col">Uses</th></tr></thead>
    <tbody>
    {{#versions}}
    <tr>
      <th scope="row">v{{version}}</th>
      <td><span class="badge badge-{{state}}">{{state}}</span></td>
      <td><code>{{hint}}</code></td>
      <td><time datetime="{{createdAt.iso}}">{{createdAt.text}}</time></td>
      <td>{{#endedAt}}ended <time datetime="{{iso}}">{{text}}</time>{{/endedAt}}{{^endedAt}}{{#expiresAt}}<time datetime="{{iso}}">{{text}}</time> ({{relative}}){{/expiresAt}}{{^expiresAt}}<span class="muted">—</span>{{/expiresAt}}{{/endedAt}}</td>
      <td>{{#lastUsed}}<time datetime="{{iso}}">{{text}}</time> <span class="sub">{{relative}}</span>{{/lastUsed}}{{^lastUsed}}<span class="muted">never</span>{{/lastUsed}}</td>
      <td>{{uses}}</td>
    </tr>
    {{/versions}}
    </tbody>
  </table>
  </div>
  <div class="columns">
  {{#canRotate}}
  <form method="post" action="/keys/{{project}}/{{name}}/rotate" class="stack" data-confirm="Rotate key {{id}}? {{rotateExplanation}}">
    <h3>Rotate</h3>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <p class="help" id="{{anchor}}-rotate-help">{{rotateExplanation}}</p>
    <label for="{{anchor}}-rotate-reason">Reason</label>
    <input id="{{anchor}}-rotate-reason" name="reason" required maxlength="500" aria-describedby="{{anchor}}-rotate-help">
    <button type="submit">Rotate {{id}}</button>
  </form>
  {{/canRotate}}
  {{#canRevoke}}
  <form method="post" action="/keys/{{project}}/{{name}}/revoke" class="stack" data-confirm="Revoke key {{id}} now? Every valid version stops verifying at once; {{consumers}} lose access.">
    <h3>Revoke</h3>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <p class="help" id="{{anchor}}-revoke-help">Every valid version stops verifying now; services holding it ({{consumers}}) lose access at once.{{#isYou}} This is the key you are signed in with: your session ends too.{{/isYou}}</p>
    <label for="{{anchor}}-revoke-reason">Reason</label>
    <input id="{{anchor}}-revoke-reason" name="reason" required maxlength="500" aria-describedby="{{anchor}}-revoke-help">
    <button type="submit" class="danger">Revoke {{id}}</button>
  </form>
  {{/canRevoke}}
  </div>
</section>
{{/keys}}
{{/content}}
{{/layout}}
"""#
}
