/** The run report's inline style and script: the page fetches nothing (its Content-Security-Policy forbids it). */

export const REPORT_CSS = `
:root { --passed: #2e7d32; --failed: #c62828; --timed-out: #d84315; --cancelled: #f9a825; --skipped: #9e9e9e; --running: #1565c0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header, main { max-width: 1280px; margin: 0 auto; padding: 12px 20px; }
header h1 { font-size: 20px; margin: 4px 0; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
.meta { color: #555; display: flex; flex-wrap: wrap; gap: 4px 18px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; font-weight: 600; min-width: 64px; text-align: center; }
.b-passed { background: var(--passed); } .b-failed { background: var(--failed); } .b-timed-out { background: var(--timed-out); }
.b-cancelled { background: var(--cancelled); color: #222; } .b-skipped { background: var(--skipped); } .b-running { background: var(--running); }
.errors pre { background: #fdecea; border-left: 4px solid var(--failed); padding: 8px 12px; white-space: pre-wrap; margin: 6px 0; }
.warnings li { color: #8a4b00; }
.panel { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 8px 12px; margin: 12px 0; overflow-x: auto; }
h2 { font-size: 16px; margin: 18px 0 6px; }
.timeline text { font-size: 11px; fill: #333; } .timeline .axis { fill: #777; font-size: 10px; }
.timeline .tick { stroke: #eee; } .timeline .sep { stroke: #ddd; } .timeline .region { font-weight: 600; font-size: 12px; }
.timeline .phase-label { font-style: italic; } .timeline .hit { fill: transparent; } .timeline a:hover .hit { fill: #f0f4ff; }
.timeline .dur { fill: #555; font-size: 10px; } .timeline .dur.inside { fill: #fff; }
.seg.st-passed { fill: var(--passed); } .seg.st-failed { fill: var(--failed); } .seg.st-timed-out { fill: var(--timed-out); }
.seg.st-cancelled { fill: var(--cancelled); } .seg.st-skipped { fill: var(--skipped); } .seg.st-running { fill: var(--running); }
.seg.retried { opacity: .55; } .seg.build { fill: #fff; opacity: .45; }
.phase .seg { fill: #b0bec5; } .phase.st-failed .seg { fill: #ef9a9a; }
.filter { position: sticky; top: 0; background: #fafafa; padding: 8px 0; display: flex; gap: 12px; align-items: center; z-index: 1; }
.filter input[type=search] { flex: 1; max-width: 420px; padding: 5px 8px; font-size: 14px; border: 1px solid #bbb; border-radius: 4px; }
details.run { background: #fff; border: 1px solid #e0e0e0; border-left: 4px solid var(--skipped); border-radius: 4px; margin: 6px 0; }
details.run.st-passed { border-left-color: var(--passed); } details.run.st-failed { border-left-color: var(--failed); }
details.run.st-timed-out { border-left-color: var(--timed-out); } details.run.st-cancelled { border-left-color: var(--cancelled); }
details.run.st-running { border-left-color: var(--running); }
details.run > summary { cursor: pointer; padding: 6px 10px; display: flex; gap: 12px; align-items: baseline; }
details.run > summary .title { font-weight: 600; } details.run > summary .facts { color: #555; }
details.run .body { padding: 0 12px 10px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0; }
dl.facts dt { color: #666; } dl.facts dd { margin: 0; white-space: pre-wrap; }
table.outputs { border-collapse: collapse; } table.outputs td { border: 1px solid #e6e6e6; padding: 2px 8px; vertical-align: top; white-space: pre-wrap; }
pre.lines { background: #1e1e1e; color: #e0e0e0; padding: 8px 10px; border-radius: 4px; max-height: 480px; overflow: auto; white-space: pre-wrap; word-break: break-all; margin: 6px 0; }
pre.lines .l-e { color: #ff8a80; } pre.lines .l-n, pre.lines .l-gap { color: #90caf9; font-style: italic; }
.note { color: #666; font-size: 12.5px; }
.hidden { display: none !important; }
`;

/**
 * Fills a run's output lines when its details open (the lines wait as JSON, so a big run costs no DOM until then),
 * follows a timeline bar's link to its details, and filters runs (details and timeline rows) by the filter box.
 */
export const REPORT_JS = `
(function () {
  'use strict';
  function fill(details) {
    var pre = details.querySelector('pre.lines');
    if (!pre || pre.getAttribute('data-filled')) return;
    pre.setAttribute('data-filled', '1');
    var data = JSON.parse(document.getElementById('lines-' + details.getAttribute('data-run')).textContent);
    var frag = document.createDocumentFragment();
    function add(cls, text) { var s = document.createElement('span'); s.className = cls; s.textContent = text + '\\n'; frag.appendChild(s); }
    data.head.forEach(function (l) { add('l-' + l.charAt(0), l.slice(1)); });
    if (data.omitted > 0) add('l-gap', data.gap);
    data.tail.forEach(function (l) { add('l-' + l.charAt(0), l.slice(1)); });
    if (!data.head.length && !data.tail.length && !data.omitted) add('l-n', '(no output)');
    pre.appendChild(frag);
  }
  var runs = Array.prototype.slice.call(document.querySelectorAll('details.run'));
  runs.forEach(function (d) {
    d.addEventListener('toggle', function () { if (d.open) fill(d); });
    if (d.open) fill(d);
  });
  function reveal(hash) {
    var d = hash && document.getElementById(hash.slice(1));
    if (d && d.tagName === 'DETAILS') { d.open = true; fill(d); d.scrollIntoView({ block: 'start' }); }
  }
  window.addEventListener('hashchange', function () { reveal(location.hash); });
  if (location.hash) reveal(location.hash);
  var bars = Array.prototype.slice.call(document.querySelectorAll('.timeline .bar'));
  var box = document.getElementById('filter');
  var count = document.getElementById('filter-count');
  function apply() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var match = function (el) {
      var text = el.getAttribute('data-text') || '';
      return words.every(function (w) { return text.indexOf(w) >= 0; });
    };
    var shown = {};
    var n = 0;
    runs.forEach(function (d) {
      var ok = match(d);
      d.classList.toggle('hidden', !ok);
      if (ok) { shown[d.getAttribute('data-run')] = true; n += 1; }
    });
    bars.forEach(function (g) {
      var a = g.parentNode;
      var ok = !!shown[g.getAttribute('data-run')];
      g.classList.toggle('hidden', !ok);
      if (a && a.classList) a.classList.toggle('dimmed', !ok);
    });
    count.textContent = words.length ? n + ' of ' + runs.length + ' runs' : runs.length + ' runs';
  }
  box.addEventListener('input', apply);
  apply();
})();
`;
