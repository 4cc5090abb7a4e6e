// One table from casekeep-bench --json and bench.js output: both systems and
// the ratio casekeep/PouchDB of each measure they share.
//   node table.js casekeep.json pouchdb.json [--markdown]
'use strict';
const fs = require('fs');

const [ck, pouch] = process.argv.slice(2, 4).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const markdown = process.argv.includes('--markdown');
const key = (r) => `${r.scenario}|${r.measure}`;
const pouchRows = new Map(pouch.rows.map((r) => [key(r), r]));
// Which way is better, for the reader of a ratio.
const better = (measure) => (/notes\/s|\/s$/.test(measure) ? 'higher' : /wall|p50|p99|bytes|RSS|write/.test(measure) ? 'lower' : '');
const fmt = (v) => (v === undefined ? '' : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-GB') : Number(v.toFixed(3)).toString());

const lines = [['scenario', 'measure', 'casekeep', 'PouchDB', 'casekeep/PouchDB', 'better']];
for (const r of ck.rows) {
  const p = pouchRows.get(key(r));
  if (!p && !['bound'].includes(r.scenario) && !/ratio/.test(r.measure)) continue;
  const unit = r.unit && !r.unit.startsWith('1 =') ? ` (${r.unit})` : '';
  const ratio = p && p.value ? fmt(r.value / p.value) : '';
  const measure = p ? r.measure : `${r.title}: ${r.measure}`;  // casekeep-only rows say what they are
  lines.push([r.scenario, measure + unit, fmt(r.value), p ? fmt(p.value) : '', ratio, p ? better(r.measure) : '']);
}

const m = ck.machine;
console.log(`casekeep vs PouchDB ${pouch.versions['pouchdb-node']} + express-pouchdb ${pouch.versions['express-pouchdb']} ` +
            `(node ${pouch.node}) on ${m.cores} cores, ${m.cpu}; load at start ${m.loadavg.split(' ').slice(0, 3).join(' ')}\n`);
if (markdown) {
  for (const [i, l] of lines.entries()) {
    console.log(`| ${l.join(' | ')} |`);
    if (i === 0) console.log(`|${l.map(() => '---').join('|')}|`);
  }
} else {
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  for (const l of lines) console.log(l.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}
