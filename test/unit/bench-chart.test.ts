import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalingSummary, scalingSvg } from '../../bench/chart.js';
import type { ScenarioResult } from '../../bench/table.js';

const sample = (s: number, rssMb = 80): { ms: number; rssMb: number; code: number; output: string } => ({ ms: s * 1000, rssMb, code: 0, output: '' });
const point = (series: string, n: number, porter: number, floor: number, rssMb?: number): ScenarioResult => ({
  id: `j${series[0] ?? ''}${n}`, title: '', floorIs: '', target: 1, before: [], series: { name: series, n },
  porter: [sample(porter, rssMb), sample(porter, rssMb)], floor: [sample(floor), sample(floor)],
});

test('(j) chart: one polyline a side through every N, the axes labelled with each N', () => {
  const svg = scalingSvg('t', [{ n: 1, porter: 1, floor: 1.2 }, { n: 10, porter: 5, floor: 6 }, { n: 100, porter: 40, floor: 50 }]);
  const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => (m[1] ?? '').split(' ').length);
  assert.deepEqual(lines, [3, 3]);
  for (const n of ['1', '10', '100']) assert.match(svg, new RegExp(`>${n}</text>`));
  assert.ok(svg.startsWith('<svg ') && svg.trimEnd().endsWith('</svg>'));
});

test('(j) summary: per-hook growth from 10 to 100, the 100-hook group against its floor, RSS at 100', () => {
  const text = scalingSummary([
    point('sequence', 10, 5, 6), point('sequence', 100, 60, 62, 90),
    point('group', 100, 12, 10, 110),
  ]);
  assert.match(text, /N=100 against N=10: 1\.20× \(target: grows by at most 10%: missed\)/);
  assert.match(text, /100-hook group: 1\.20× the floor's group \(target ≤ 1\.10×: missed\)/);
  assert.match(text, /peak RSS at N=100: 110 MB/);
  assert.equal(scalingSummary([]), '');
});

test('(j) summary: the regions series alone, each N against the floor on the same engines, no empty hook-series lines', () => {
  const text = scalingSummary([point('regions', 1, 2, 2), point('regions', 4, 6, 4)]);
  assert.match(text, /regions: N=1 2\.00 s \(1\.00× the floor on the same engines\), N=4 6\.00 s \(1\.50× the floor on the same engines\)/);
  assert.doesNotMatch(text, /sequence:|group:/);
});
