extension Templates {
    /// A secret: facts, the value (hidden until revealed), the version timeline, consumers and
    /// webhooks, and the forms that act on it.
    static let secret = #"""
{{<layout}}
{{$content}}
<p class="crumbs"><a href="/">Secrets</a> / {{project}}</p>
<h1>{{id}}{{#external}} <span class="badge">external</span>{{/external}}</h1>
<dl class="facts">
  <dt>Version</dt><dd>{{#version}}v{{version}}{{/version}}{{^version}}not applied yet{{/version}}</dd>
  <dt>Policy</dt><dd>{{policy}}</dd>
  <dt>Last rotated</dt><dd>{{#lastRotated}}<time datetime="{{iso}}">{{text}}</time> ({{relative}}){{/lastRotated}}{{^lastRotated}}—{{/lastRotated}}</dd>
  <dt>Next due</dt><dd>{{#nextDue}}<time datetime="{{iso}}">{{text}}</time> ({{relative}}){{/nextDue}}{{^nextDue}}not scheduled{{/nextDue}}</dd>
</dl>

<section class="panel" aria-labelledby="value-title">
  <h2 id="value-title">Value</h2>
  {{#revealed}}
  <div class="revealed" id="reveal-box">
    <p><label for="revealed-value">Value of v{{version}}</label> <span class="help" id="reveal-timer">hides again in <span id="reveal-countdown">{{revealSeconds}}</span> s</span></p>
    <pre id="revealed-value" class="value" data-hide-after="{{revealSeconds}}" tabindex="0" aria-describedby="reveal-timer">{{value}}</pre>
    <p class="help">This read was written to the audit log as <code>secret.accessed</code> with your key.</p>
  </div>
  <p id="reveal-hidden" class="help" hidden>The value is hidden again. Reveal it again if you still need it (another audited read).</p>
  {{/revealed}}
  {{^revealed}}<p class="masked" aria-label="The value is hidden">••••••••••••</p>{{/revealed}}
  {{#canReveal}}
  <form method="post" action="{{base}}/reveal" class="inline-form">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label for="reveal-version">Version</label>
    <select id="reveal-version" name="version">{{#readable}}<option value="{{version}}">{{label}}</option>{{/readable}}</select>
    <button type="submit" id="reveal">Reveal</button>
    <span class="help">Audited; shown for 30 seconds.</span>
  </form>
  {{/canReveal}}
  {{^canReveal}}<p class="help">{{revealNote}}</p>{{/canReveal}}
</section>

<section class="panel" aria-labelledby="actions-title">
  <h2 id="actions-title">Rotate or roll back</h2>
  <div class="columns">
  {{#canRotate}}
  <form method="post" action="{{base}}/rotate" class="stack" data-confirm="Rotate {{id}} now? A new version is created and every consumer with a webhook is told.">
    <h3>Rotate now</h3>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label for="rotate-reason">Reason</label>
    <input id="rotate-reason" name="reason" required maxlength="500" aria-describedby="rotate-help">
    <p id="rotate-help" class="help">A new version becomes active; the current one stays valid through its grace period, then expires. Committed to git and audited.</p>
    <button type="submit" id="rotate">Rotate</button>
  </form>
  {{/canRotate}}
  {{^canRotate}}<p class="help">{{rotateNote}}</p>{{/canRotate}}
  {{#canRollback}}
  <form method="post" action="{{base}}/rollback" class="stack" data-confirm="Roll {{id}} back? Its older value becomes live again as a new version.">
    <h3>Roll back</h3>
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label for="rollback-version">To the value of</label>
    <select id="rollback-version" name="toVersion">{{#rollbackTargets}}<option value="{{version}}">{{label}}</option>{{/rollbackTargets}}</select>
    <label for="rollback-reason">Reason</label>
    <input id="rollback-reason" name="reason" required maxlength="500">
    <div class="check"><input id="rollback-expire" name="expireCurrent" type="checkbox" value="on"><label for="rollback-expire">Expire the current version at once (its value leaked)</label></div>
    <p class="help">History never rewinds: the older value comes back as a new version, and consumers are told as for a rotation.</p>
    <button type="submit" id="rollback">Roll back</button>
  </form>
  {{/canRollback}}
  {{^canRollback}}<p class="help">{{rollbackNote}}</p>{{/canRollback}}
  </div>
</section>

<section class="panel" aria-labelledby="timeline-title">
  <h2 id="timeline-title">Versions</h2>
  <ol class="timeline" reversed>
    {{#timeline}}
    <li class="state-{{state}}">
      <p class="when"><span class="badge badge-{{state}}">v{{version}} · {{state}}</span> <time datetime="{{createdAt.iso}}">{{createdAt.text}}</time> <span class="sub">({{createdAt.relative}})</span></p>
      <p>{{reason}}</p>
      <p class="sub">by {{createdBy}}{{#rotatedFrom}} · from v{{rotatedFrom}}{{/rotatedFrom}}{{#commit}} · commit <code>{{commit}}</code>{{/commit}}</p>
      {{#graceEnds}}<p class="sub">grace ends <time datetime="{{iso}}">{{text}}</time>{{#graceLeft}} ({{graceLeft}}){{/graceLeft}}</p>{{/graceEnds}}
      {{#expiredAt}}<p class="sub">expired <time datetime="{{iso}}">{{text}}</time></p>{{/expiredAt}}
    </li>
    {{/timeline}}
  </ol>
</section>

<section class="panel" aria-labelledby="consumers-title">
  <h2 id="consumers-title">Consumers</h2>
  {{#hasConsumers}}
  <div class="table-wrap" role="region" aria-labelledby="consumers-title" tabindex="0">
  <table>
    <thead><tr><th scope="col">Service</th><th scope="col">Webhook</th><th scope="col">State</th><th scope="col">Last delivery</th><th scope="col">Last read</th></tr></thead>
    <tbody>
    {{#consumers}}
    <tr>
      <th scope="row">{{service}}</th>
      <td>{{#webhook}}<code>{{webhook}}</code>{{/webhook}}{{^webhook}}<span class="muted">none</span>{{/webhook}}</td>
      <td>{{#webhookKnown}}{{#disabled}}<span class="badge badge-failed">disabled</span> {{disabledReason}} <a href="/webhooks">Enable…</a>{{/disabled}}{{^disabled}}<span class="badge badge-active">enabled</span>{{/disabled}}{{/webhookKnown}}{{^webhookKnown}}<span class="muted">—</span>{{/webhookKnown}}</td>
      <td>{{#lastDelivery}}{{#statusCode}}HTTP {{statusCode}}{{/statusCode}}{{#error}} {{error}}{{/error}} <span class="sub">{{startedAt.relative}}</span>{{/lastDelivery}}{{^lastDelivery}}<span class="muted">—</span>{{/lastDelivery}}</td>
      <td>{{#lastUsed}}<time datetime="{{iso}}">{{relative}}</time>{{/lastUsed}}{{^lastUsed}}<span class="muted">—</span>{{/lastUsed}}</td>
    </tr>
    {{/consumers}}
    </tbody>
  </table>
  </div>
  {{#webhooksHidden}}<p class="help">Webhook states need <code>rotor:webhooks:read</code>.</p>{{/webhooksHidden}}
  {{/hasConsumers}}
  {{^hasConsumers}}<p>No service consumes this secret.</p>{{/hasConsumers}}
</section>

<section class="panel danger" aria-labelledby="delete-title">
  <h2 id="delete-title">Delete</h2>
  {{#canPropose}}
  <form method="post" action="{{base}}/delete" class="stack" data-confirm="Propose deleting {{id}}? This opens a branch; the secret is deleted only when its pull request merges.">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <p class="help">Deleting is a proposal: a branch that removes the spec, with its pull request plan. The secret stays until that pull request merges.</p>
    <label for="delete-reason">Reason</label>
    <input id="delete-reason" name="reason" required maxlength="500">
    <button type="submit" class="danger" id="delete">Propose deletion</button>
  </form>
  {{/canPropose}}
  {{^canPropose}}<p class="help">Proposing a deletion needs <code>rotor:proposals:write</code>.</p>{{/canPropose}}
</section>
{{/content}}
{{/layout}}
"""#
}
