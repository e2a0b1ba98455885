// The pure parts of the bench's scale workload: the least-squares slope that
// gives the marginal cost per program, the observer's stamp parser, and the
// SVG chart's scales and drawing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slope } from '../../bench/lib/fit';
import { parseStamps, type Stamp } from '../../bench/lib/observer';
import { chartSvg, escapeXml, linearTicks, logTicks, unit } from '../../bench/lib/svg-chart';

test('slope: an exact line gives its slope, whatever the intercept', () => {
  assert.equal(slope([[100, 7], [1000, 52], [10000, 502]]), 0.05);
});

test('slope: least squares through scattered points', () => {
  // x 1,2,3 and y 1,3,2: mean (2, 2); Σ(dx·dy) = 1, Σdx² = 2.
  assert.equal(slope([[1, 1], [2, 3], [3, 2]]), 0.5);
});

test('slope: points without a number are left out; fewer than two distinct x give NaN', () => {
  assert.equal(slope([[1, 2], [2, NaN], [3, 6]]), 2);
  assert.ok(Number.isNaN(slope([[1, 2]])));
  assert.ok(Number.isNaN(slope([[5, 2], [5, 3]])));
  assert.ok(Number.isNaN(slope([])));
});

test('parseStamps: whole lines are stamps, an unfinished last line is kept for the next chunk', () => {
  const got: [string, Stamp][] = [];
  const rest = parseStamps('p1 10 123456789012345678\np2 11 5\np3 1', (id, s) => got.push([id, s]));
  assert.deepEqual(got, [
    ['p1', { pid: 10, ns: 123456789012345678n }],
    ['p2', { pid: 11, ns: 5n }],
  ]);
  assert.equal(rest, 'p3 1');
  const more: string[] = [];
  assert.equal(parseStamps(rest + '2 7\n', (id, s) => more.push(`${id}/${s.pid}/${s.ns}`)), '');
  assert.deepEqual(more, ['p3/12/7']);
});

test('parseStamps: a malformed line is an error, not a stamp', () => {
  assert.throws(() => parseStamps('p1 x 5\n', () => undefined), /malformed stamp/);
  assert.throws(() => parseStamps('p1 5\n', () => undefined), /malformed stamp/);
});

test('logTicks: the powers of ten around the range', () => {
  assert.deepEqual(logTicks(100, 10000), [100, 1000, 10000]);
  assert.deepEqual(logTicks(150, 8000), [100, 1000, 10000]);
  assert.deepEqual(logTicks(0.02, 3), [0.01, 0.1, 1, 10]);
  assert.deepEqual(logTicks(1, 1), [1, 10], 'one value still spans a decade');
});

test('linearTicks: round steps from 0 past the maximum', () => {
  assert.deepEqual(linearTicks(47), [0, 10, 20, 30, 40, 50]);
  assert.deepEqual(linearTicks(0.9), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTicks(0), [0, 1]);
});

test('unit: log and linear scales map the ends to 0 and 1', () => {
  assert.equal(unit(100, 100, 10000, true), 0);
  assert.equal(unit(1000, 100, 10000, true), 0.5);
  assert.equal(unit(10000, 100, 10000, true), 1);
  assert.equal(unit(25, 0, 100, false), 0.25);
});

test('chartSvg: one line per series with a point per value, names escaped, one legend entry per name', () => {
  const svg = chartSvg({
    title: 'a <b>',
    xLabel: 'programs',
    panels: [
      { title: 'time', yLabel: 's', logY: true, series: [{ name: 'x&y', color: '#111', points: [[100, 0.1], [1000, 1], [10000, 10]] }, { name: 'limit', color: '#222', points: [[100, 0.05], [10000, 2]] }] },
      { title: 'memory', yLabel: 'MiB', logY: false, series: [{ name: 'x&y', color: '#111', points: [[100, 40], [10000, 90]] }] },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.equal(svg.match(/<polyline /g)?.length, 3);
  assert.equal(svg.match(/<circle /g)?.length, 3 + 2 + 2);
  assert.ok(svg.includes('a &lt;b&gt;'));
  assert.ok(!svg.includes('x&y'));
  assert.equal(svg.match(/>x&amp;y<\/text>/g)?.length, 1, 'one legend entry for a name drawn in two panels');
  assert.equal(escapeXml('"<&>"'), '&quot;&lt;&amp;&gt;&quot;');
});

test('chartSvg: on a log axis, values that are not positive are left out rather than drawn at -Infinity', () => {
  const svg = chartSvg({ title: 't', xLabel: 'x', panels: [{ title: 'p', yLabel: 'y', logY: true, series: [{ name: 's', color: '#000', points: [[10, 0], [100, 1]] }] }] });
  assert.equal(svg.match(/<circle /g)?.length, 1);
  assert.ok(!svg.includes('NaN') && !svg.includes('Infinity'));
});
