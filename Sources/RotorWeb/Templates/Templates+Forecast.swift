extension Templates {
    /// The forecast: a timeline picture (inline SVG, one lane per secret or key) and the table.
    static let forecast = #"""
{{<layout}}
{{$content}}
<h1>Forecast</h1>
<nav class="ranges" aria-label="Forecast range">
  {{#ranges}}<a href="/forecast?days={{days}}"{{#current}} aria-current="page"{{/current}}>Next {{days}} days</a>{{/ranges}}
</nav>
<p role="status">Next {{days}} days: {{summary}}.</p>
{{#hasEntries}}
{{#timeline}}
<figure class="timeline-figure">
  <svg class="forecast" viewBox="0 0 960 {{height}}" role="img" aria-labelledby="forecast-svg-title forecast-svg-desc" preserveAspectRatio="xMinYMin meet">
    <title id="forecast-svg-title">Timeline of the next {{days}} days</title>
    <desc id="forecast-svg-desc">One row per secret or key; circles are rotations, triangles warnings, squares expiries, plus signs creations, diamonds replacements. The table below lists the same entries.</desc>
    {{#ticks}}
    <line class="tick" x1="{{x}}" x2="{{x}}" y1="22" y2="{{height}}"></line>
    <text class="tick-label" x="{{x}}" y="16" text-anchor="middle">{{label}}</text>
    {{/ticks}}
    {{#lanes}}
    <line class="lane" x1="{{plotStart}}" x2="{{plotEnd}}" y1="{{lineY}}" y2="{{lineY}}"></line>
    <text class="lane-label" x="8" y="{{y}}">{{label}}</text>
    {{#marks}}<path class="mark mark-{{kind}}" d="{{path}}"><title>{{title}}</title></path>{{/marks}}
    {{/lanes}}
  </svg>
  <figcaption>
    <ul class="legend">
      <li><svg viewBox="0 0 16 16" aria-hidden="true"><path class="mark mark-rotate" d="M2,8 a6,6 0 1,0 12,0 a6,6 0 1,0 -12,0 Z"></path></svg> rotate</li>
      <li><svg viewBox="0 0 16 16" aria-hidden="true"><path class="mark mark-warn" d="M8,1 L15,14 L1,14 Z"></path></svg> warn</li>
      <li><svg viewBox="0 0 16 16" aria-hidden="true"><path class="mark mark-expire" d="M2,2 h12 v12 h-12 Z"></path></svg> expire</li>
      <li><svg viewBox="0 0 16 16" aria-hidden="true"><path class="mark mark-create" d="M6,1 h4 v5 h5 v4 h-5 v5 h-4 v-5 h-5 v-4 h5 Z"></path></svg> create</li>
      <li><svg viewBox="0 0 16 16" aria-hidden="true"><path class="mark mark-replace" d="M8,1 L15,8 L8,15 L1,8 Z"></path></svg> replace</li>
    </ul>
    {{#hiddenLanes}}<p class="help">{{hiddenLanes}} more rows are in the table only.</p>{{/hiddenLanes}}
  </figcaption>
</figure>
{{/timeline}}
<div class="table-wrap" role="region" aria-labelledby="forecast-caption" tabindex="0">
<table>
  <caption id="forecast-caption">Every entry, soonest first</caption>
  <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Secret or key</th><th scope="col">Version</th><th scope="col">Consumers</th></tr></thead>
  <tbody>
  {{#entries}}
  <tr><td><time datetime="{{at.iso}}">{{at.text}}</time> <span class="sub">{{at.relative}}</span></td><td><span class="badge badge-{{kind}}">{{kind}}</span></td>
    <th scope="row"><a href="{{href}}">{{#isKey}}key {{/isKey}}{{secret}}</a></th><td>v{{version}}</td><td>{{consumers}}</td></tr>
  {{/entries}}
  </tbody>
</table>
</div>
{{/hasEntries}}
{{^hasEntries}}<p>Nothing rotates, warns or expires in the next {{days}} days.</p>{{/hasEntries}}
{{/content}}
{{/layout}}
"""#
}
