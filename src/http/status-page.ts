/**
 * The status page, `GET /` on the admin listener: one self-contained HTML document (inline CSS
 * and script, no external resource, no build step) that fetches `status.json` on load and every
 * `REFRESH_SECONDS`, and renders it with DOM APIs and `textContent` only — never `innerHTML`
 * with data: model names and fingerprints come from upstreams and are hostile.
 *
 * The content security policy allows exactly the inline style and script below (by their
 * SHA-256) and fetches to the same origin; nothing else loads, the page cannot be framed.
 * test/e2e/status-page.test.ts loads it in headless Chromium and fails on any console error,
 * CSP violations included.
 */
import { createHash } from 'node:crypto';

/** How often the page fetches `status.json`. */
export const REFRESH_SECONDS = 5;

const STYLE = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --idle: #6e7781; --line: #d0d7de;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --card: #f6f8fa; }
@media (prefers-color-scheme: dark) {
  :root { --ok: #3fb950; --bad: #f85149; --warn: #d29922; --idle: #8b949e; --line: #30363d; --bg: #0d1117;
    --fg: #e6edf3; --muted: #9198a1; --card: #161b22; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; font: 14px/1.45 system-ui, sans-serif; background: var(--bg);
  color: var(--fg); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem 1.5rem;
  margin-bottom: 1rem; }
h1 { font-size: 1.4rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 1.75rem 0 0.5rem; }
.muted { color: var(--muted); }
.conn-ok { color: var(--ok); }
.conn-bad { color: var(--bad); font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: 0.6rem 1rem; min-width: 8.5rem; }
.card .n { display: block; font-size: 1.6rem; font-weight: 600; }
.card.hot .n { color: var(--bad); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.mono, .mono { font-family: ui-monospace, monospace; }
.wrap { overflow-wrap: anywhere; }
.nowrap { white-space: nowrap; }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 999px; font-weight: 600;
  color: #fff; background: var(--idle); }
.state-pass .badge, .badge.ok { background: var(--ok); }
.state-fail .badge, .state-error .badge, .badge.bad { background: var(--bad); }
tr.state-fail, tr.state-error, tr.held { box-shadow: inset 4px 0 0 var(--bad); }
tr.state-pass { box-shadow: inset 4px 0 0 var(--ok); }
/* blocked: an operator policy stopped the canary's answer; the model was not judged. */
.state-blocked .badge { background: var(--warn); }
tr.state-blocked { box-shadow: inset 4px 0 0 var(--warn); }
.mismatch { color: var(--bad); font-weight: 600; }
.empty td { color: var(--muted); font-style: italic; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var REFRESH_MS = ${REFRESH_SECONDS * 1000};
  var skew = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function td(text, cls) { return el('td', cls, text === null || text === undefined ? '\\u2014' : text); }
  function span(seconds) {
    var s = Math.abs(seconds);
    if (s < 90) return Math.round(s) + ' s';
    if (s < 5400) return Math.round(s / 60) + ' min';
    if (s < 129600) return Math.round(s / 3600) + ' h';
    return Math.round(s / 86400) + ' d';
  }
  /** A time cell: relative to now, the RFC 3339 time on hover. */
  function when(iso) {
    if (!iso) return td(null);
    var t = Date.parse(iso);
    var d = (t - (Date.now() + skew)) / 1000;
    var c = td(Math.abs(d) < 1 ? 'now' : d < 0 ? span(d) + ' ago' : 'in ' + span(d));
    c.title = iso;
    return c;
  }
  function badge(text, kind) { return el('span', 'badge' + (kind ? ' ' + kind : ''), text); }
  function fill(id, rows, columns, empty) {
    var body = document.getElementById(id);
    if (rows.length === 0) {
      var tr = el('tr', 'empty');
      var c = td(empty);
      c.colSpan = columns;
      tr.appendChild(c);
      rows = [tr];
    }
    body.replaceChildren.apply(body, rows);
  }

  function canaryRow(c) {
    var state = c.result || 'none';
    var tr = el('tr', 'state-' + state);
    tr.dataset.canary = c.id;
    tr.dataset.state = state;
    var r = td(null);
    r.replaceChildren(badge(c.result || 'not run'));
    tr.append(
      r,
      td(c.id, 'mono'),
      td(c.upstream),
      td(c.model, 'mono nowrap'),
      td(
        typeof c.evidence === 'number'
          ? 'evidence ' + c.evidence.toPrecision(3) + ' of ' + c.evidence_threshold.toPrecision(3)
          : typeof c.p_value === 'number'
            ? 'p ' + c.p_value.toPrecision(3)
            : null,
      ),
      when(c.last_run_at),
      when(c.next_run_at),
      td(span(c.every_seconds)),
    );
    return tr;
  }

  function pinned(m) {
    var all = (m.pinned_model ? [m.pinned_model] : []).concat(m.pinned_fingerprints);
    return td(all.length ? all.join(', ') : null, 'mono wrap');
  }

  function modelRows(u) {
    return u.models.map(function (m) {
      var q = m.quarantine;
      var tr = el('tr', q ? 'held' : '');
      tr.dataset.upstream = u.name;
      tr.dataset.model = m.model;
      tr.dataset.quarantined = q ? 'true' : 'false';
      var qc = td(null);
      if (q) {
        qc.replaceChildren(badge('quarantined', 'bad'), el('span', 'muted', ' ' + q.reason + ', ' + q.action));
        qc.title = 'since ' + q.since + (q.canary ? ' (canary ' + q.canary + ')' : '');
      } else qc.replaceChildren(badge('serving', 'ok'));
      var observed = td(m.observed_model, 'mono wrap' + (m.identity_mismatch ? ' mismatch' : ''));
      observed.dataset.field = 'observed_model';
      tr.append(
        qc,
        td(u.name),
        td(m.model, 'mono nowrap'),
        pinned(m),
        observed,
        td(m.observed_fingerprint, 'mono wrap'),
        when(m.observed_at),
      );
      return tr;
    });
  }

  function count(id, n) {
    var e = document.getElementById(id);
    e.textContent = String(n);
    e.parentElement.className = 'card' + (n > 0 && id !== 'n-passed' ? ' hot' : '');
  }

  function render(s) {
    skew = Date.parse(s.generated_at) - Date.now();
    document.getElementById('version').textContent = 'version ' + s.version;
    count('n-blocked', s.decisions.blocked);
    count('n-redacted', s.decisions.redacted);
    count('n-flagged', s.decisions.flagged);
    count('n-quarantined', s.decisions.quarantined);
    count('n-passed', s.decisions.passed);
    fill('canaries', s.canaries.map(canaryRow), 8, 'no canaries loaded');
    fill('models', [].concat.apply([], s.upstreams.map(modelRows)), 7, 'no pinned or canaried models');
    var p = s.policies;
    var pr = el('tr', p.last_reload.ok ? '' : 'held');
    var res = td(null);
    res.replaceChildren(badge(p.last_reload.result, p.last_reload.ok ? 'ok' : 'bad'));
    pr.append(td(p.version, 'mono'), res, when(p.last_reload.at));
    fill('policies', [pr], 3, '');
  }

  function connection(ok, text) {
    var c = document.getElementById('conn');
    c.className = ok ? 'conn-ok' : 'conn-bad';
    c.textContent = text;
  }

  function refresh() {
    fetch('status.json', { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) throw new Error('status.json answered HTTP ' + r.status);
        return r.json();
      })
      .then(function (s) {
        render(s);
        connection(true, 'updated ' + new Date().toLocaleTimeString());
        document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
      })
      .catch(function (e) {
        connection(false, 'not updating: ' + (e && e.message ? e.message : String(e)));
      })
      .finally(function () {
        setTimeout(refresh, REFRESH_MS);
      });
  }
  refresh();
})();
`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The page's content security policy: its own inline style and script, fetches to itself. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Coalmine status</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Coalmine status</h1>
  <span id="version" class="muted"></span>
  <span id="conn" class="muted">loading…</span>
</header>
<noscript><p>This page needs JavaScript; its data is at <a href="status.json">status.json</a>.</p></noscript>

<h2>Responses in the last hour</h2>
<div class="cards">
  <div class="card"><span class="n" id="n-blocked">–</span>blocked</div>
  <div class="card"><span class="n" id="n-redacted">–</span>redacted</div>
  <div class="card"><span class="n" id="n-flagged">–</span>flagged</div>
  <div class="card"><span class="n" id="n-quarantined">–</span>refused (quarantine)</div>
  <div class="card"><span class="n" id="n-passed">–</span>passed</div>
</div>

<h2>Canaries</h2>
<table>
  <thead><tr><th>result</th><th>canary</th><th>upstream</th><th>model</th><th>p-value / evidence</th><th>last run</th><th>next run</th><th>every</th></tr></thead>
  <tbody id="canaries"></tbody>
</table>

<h2>Upstreams and models</h2>
<table>
  <thead><tr><th>state</th><th>upstream</th><th>model</th><th>pinned</th><th>observed model</th><th>observed fingerprint</th><th>observed</th></tr></thead>
  <tbody id="models"></tbody>
</table>

<h2>Policy set</h2>
<table>
  <thead><tr><th>version</th><th>last reload</th><th>at</th></tr></thead>
  <tbody id="policies"></tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;

/** Headers of the page: never cached, never sniffed, never framed. */
export const STATUS_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': STATUS_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};
