extension Templates {
    /// Delivery jobs with their attempts, filtered by status, with Retry and Cancel.
    static let jobs = #"""
{{<layout}}
{{$content}}
<h1>Jobs</h1>
<form method="get" action="/jobs" class="filters" role="search" aria-label="Filter jobs">
  <div class="field">
    <label for="filter-status">Status</label>
    <select id="filter-status" name="status">
      <option value="">Any status</option>
      {{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/statuses}}
    </select>
  </div>
  <div class="field actions"><button type="submit">Filter</button></div>
</form>
{{^hasJobs}}<p>No job{{#status}} is {{status}}{{/status}}.</p>{{/hasJobs}}
{{#jobs}}
<section class="panel job" aria-labelledby="job-{{id}}">
  <h2 id="job-{{id}}"><span class="badge badge-{{status}}">{{status}}</span> {{event}}{{^event}}{{type}}{{/event}}{{#secret}} · {{secret}}{{/secret}}{{#service}} → {{service}}{{/service}}</h2>
  <dl class="facts">
    <dt>Job</dt><dd><code>{{short}}</code></dd>
    {{#url}}<dt>Endpoint</dt><dd><code>{{url}}</code></dd>{{/url}}
    <dt>Attempts</dt><dd>{{attemptCount}} of {{maxAttempts}}</dd>
    <dt>Next run</dt><dd><time datetime="{{runAt.iso}}">{{runAt.text}}</time> ({{runAt.relative}})</dd>
    {{#lastError}}<dt>Last error</dt><dd>{{lastError}}</dd>{{/lastError}}
  </dl>
  {{#hasAttempts}}
  <div class="table-wrap" role="region" aria-label="Attempts of job {{short}}" tabindex="0">
  <table>
    <thead><tr><th scope="col">Attempt</th><th scope="col">Started</th><th scope="col">Status</th><th scope="col">Latency</th><th scope="col">Error</th></tr></thead>
    <tbody>
    {{#attempts}}
    <tr><th scope="row">{{attempt}}</th><td><time datetime="{{startedAt.iso}}">{{startedAt.text}}</time></td>
      <td>{{#statusCode}}<span class="badge {{#ok}}badge-completed{{/ok}}{{^ok}}badge-failed{{/ok}}">HTTP {{statusCode}}</span>{{/statusCode}}{{^statusCode}}<span class="muted">no answer</span>{{/statusCode}}</td>
      <td>{{latency}}</td><td>{{error}}</td></tr>
    {{/attempts}}
    </tbody>
  </table>
  </div>
  {{/hasAttempts}}
  <div class="inline-actions">
  {{#canRetry}}
  <form method="post" action="/jobs/{{id}}/retry" data-confirm="Retry job {{short}}?">
    <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Retry</button>
  </form>
  {{/canRetry}}
  {{#canCancel}}
  <form method="post" action="/jobs/{{id}}/cancel" data-confirm="Cancel job {{short}}? It will not be delivered unless retried.">
    <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">Cancel</button>
  </form>
  {{/canCancel}}
  </div>
</section>
{{/jobs}}
{{#more}}<p class="help">{{more}} older jobs are not shown; filter by status to narrow the list.</p>{{/more}}
{{/content}}
{{/layout}}
"""#
}
