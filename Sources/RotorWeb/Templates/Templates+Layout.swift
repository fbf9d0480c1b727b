extension Templates {
    /// Every page's frame: the skip link, the navigation, who is signed in, messages.
    static let layout = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{title}} · rotor</title>
<link rel="icon" href="/static/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/rotor.css">
<script src="/static/rotor.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/"><img src="/static/icon.svg" alt="" width="24" height="24"> rotor</a>
  {{#signedIn}}
  <nav aria-label="Sections">
    <ul>
      {{#nav}}
      <li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>
      {{/nav}}
    </ul>
  </nav>
  <form class="signout" method="post" action="/signout">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <span class="who">Signed in as <strong>{{who}}</strong></span>
    <button type="submit" class="secondary">Sign out</button>
  </form>
  {{/signedIn}}
</header>
<main id="main" tabindex="-1">
  {{#flashes}}
  <div class="flash flash-{{kind}}" role="{{role}}">
    <p>{{text}}</p>
    {{#proposal}}
    <dl class="facts">
      <dt>Branch</dt><dd><code>{{branch}}</code></dd>
      <dt>Commit</dt><dd><code>{{commit}}</code></dd>
    </dl>
    <h2 class="plan-title">Pull request plan</h2>
    <pre class="plan" tabindex="0" aria-label="Pull request plan">{{plan}}</pre>
    {{/proposal}}
  </div>
  {{/flashes}}
  {{$content}}{{/content}}
</main>
<footer class="bottom"><p>rotor · values stay hidden until revealed · every reveal is audited</p></footer>
</body>
</html>
"""#

    /// The sign-in form: one field for a rotor API key.
    static let signIn = #"""
{{<layout}}
{{$content}}
<section class="signin" aria-labelledby="signin-title">
  <h1 id="signin-title">Sign in to rotor</h1>
  {{#signedOut}}<p class="flash flash-success" role="status">You are signed out; the session's key was wiped from the server's memory.</p>{{/signedOut}}
  {{#message}}<p class="flash flash-error" role="alert" id="signin-error">{{message}}</p>{{/message}}
  <form method="post" action="/signin" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    {{#next}}<input type="hidden" name="next" value="{{next}}">{{/next}}
    <label for="key">API key</label>
    <input id="key" name="key" type="password" required autocomplete="off" spellcheck="false" autofocus
           aria-describedby="key-help{{#message}} signin-error{{/message}}">
    <p id="key-help" class="help">A key this repository declares with a <code>rotor:</code> scope (for example <code>rotor:admin</code>); read one with <code>rotor get rotor/admin --key</code>. Its scopes decide what the pages show and allow. Keys without a <code>rotor:</code> scope cannot sign in.</p>
    <button type="submit">Sign in</button>
  </form>
  <p class="help">A session lasts {{lifetime}}, ends at sign-out, and ends at once when its key is revoked, expires or is rotated out.</p>
</section>
{{/content}}
{{/layout}}
"""#

    /// A problem a handler answered with (or a refused form), with its status.
    static let error = #"""
{{<layout}}
{{$content}}
<section aria-labelledby="error-title">
  <h1 id="error-title">{{status}} {{problemTitle}}</h1>
  <p class="flash flash-error" role="alert">{{detail}}</p>
  {{#back}}<p><a href="{{back}}">Back</a></p>{{/back}}
</section>
{{/content}}
{{/layout}}
"""#
}
