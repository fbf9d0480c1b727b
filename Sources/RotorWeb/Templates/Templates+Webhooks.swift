extension Templates {
    /// Webhook endpoints: what they hear about, disabled or not (Enable), recent deliveries.
    static let webhooks = #"""
{{<layout}}
{{$content}}
<h1>Webhooks</h1>
{{^hasWebhooks}}<p>No consumer declares a webhook.</p>{{/hasWebhooks}}
{{#webhooks}}
<section class="panel" aria-labelledby="{{anchor}}">
  <h2 id="{{anchor}}">{{service}} {{#disabled}}<span class="badge badge-failed">disabled</span>{{/disabled}}{{^disabled}}<span class="badge badge-active">enabled</span>{{/disabled}}</h2>
  <dl class="facts">
    <dt>Endpoint</dt><dd><code>{{url}}</code></dd>
    <dt>Hears about</dt><dd>{{secrets}}</dd>
    {{#disabled}}<dt>Disabled</dt><dd>{{#disabledAt}}<time datetime="{{iso}}">{{text}}</time>{{/disabledAt}}{{#disabledReason}}: {{disabledReason}}{{/disabledReason}}</dd>{{/disabled}}
    <dt>Last delivery</dt><dd>{{#lastDelivery}}attempt {{attempt}}, <time datetime="{{startedAt.iso}}">{{startedAt.text}}</time>{{#statusCode}}, HTTP {{statusCode}}{{/statusCode}}{{#latency}}, {{latency}}{{/latency}}{{#error}}, {{error}}{{/error}}{{/lastDelivery}}{{^lastDelivery}}none yet{{/lastDelivery}}</dd>
  </dl>
  {{#canEnable}}
  <form method="post" action="/webhooks/{{service}}/enable" data-confirm="Enable {{service}}'s webhook? Deliveries resume at the next pass.">
    <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Enable</button>
  </form>
  {{/canEnable}}
  {{#hasRecent}}
  <div class="table-wrap" role="region" aria-label="Recent deliveries to {{service}}" tabindex="0">
  <table>
    <caption>Recent deliveries</caption>
    <thead><tr><th scope="col">Job</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Updated</th><th scope="col">Last error</th></tr></thead>
    <tbody>
    {{#recent}}
    <tr><th scope="row"><a href="/jobs"><code>{{short}}</code></a></th><td>{{event}}{{#secret}} · {{secret}}{{/secret}}</td><td><span class="badge badge-{{status}}">{{status}}</span></td><td>{{attempts}}</td><td>{{updatedAt.relative}}</td><td>{{lastError}}</td></tr>
    {{/recent}}
    </tbody>
  </table>
  </div>
  {{/hasRecent}}
</section>
{{/webhooks}}
{{#jobsHidden}}<p class="help">Recent deliveries need <code>rotor:jobs:read</code>.</p>{{/jobsHidden}}
{{/content}}
{{/layout}}
"""#
}
