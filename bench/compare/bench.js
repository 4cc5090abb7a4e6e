// The issue-6 workload S1-S5 through PouchDB 9 (pouchdb-node, LevelDB on
// disk) replicating over loopback HTTP to express-pouchdb in its own process.
// Prints JSON rows in casekeep-bench --json's form; progress goes to stderr.
//   node bench.js --notes N [--s5-notes M] [--dir D]
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawn } = require('child_process');
const PouchDB = require('pouchdb-node');
const { noteDoc } = require('./workload');

function option(name, fallback) {
  const at = process.argv.indexOf('--' + name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const now = () => process.hrtime.bigint();
const percentile = (values, p) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? v[Math.floor(p * (v.length - 1))] : 0;
};
const peakRssKb = () => Number(/VmHWM:\s*(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);

const rows = [];
function row(scenario, title, measure, value, unit = '') {
  rows.push({ scenario, title, measure, value, unit });
  console.error(`  ${scenario} ${title}: ${measure} = ${value} ${unit}`);
}

// express-pouchdb as a child process; resolves to {url, stats(), stop()}.
function startServer(dir) {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error('express-pouchdb exited with ' + code)));
    child.stdout.once('data', (line) => {
      const url = `http://127.0.0.1:${JSON.parse(line).port}`;
      const stats = async () => (await fetch(url + '/_bench/stats')).json();
      const stop = () => new Promise((done) => { child.removeAllListeners('exit'); child.once('exit', done); child.kill('SIGTERM'); });
      resolve({ url, stats, stop });
    });
  });
}

async function writeInChunks(db, first, count, chunk) {
  for (let done = 0; done < count; done += chunk) {
    const docs = [];
    for (let k = done; k < Math.min(count, done + chunk); ++k) docs.push(noteDoc(first + k));
    await db.bulkDocs(docs);
  }
}

async function s1a(dir, n) {
  const db = new PouchDB(path.join(dir, 's1a'));
  const docs = [];
  for (let k = 0; k < n; ++k) docs.push(noteDoc(k));
  const start = now();
  await db.bulkDocs(docs);
  row('S1a', 'local write, one bulkDocs call', 'notes/s', n / seconds(start));
  await db.close();
}

async function s1b(db, n) {
  const latencies = [];
  const start = now();
  for (let k = 0; k < n; ++k) {
    const doc = noteDoc(k);
    const one = now();
    await db.put(doc);
    latencies.push(seconds(one) * 1000);
  }
  const title = 'local write, one put per note';
  row('S1b', title, 'notes/s', n / seconds(start));
  row('S1b', title, 'commit p50', percentile(latencies, 0.5), 'ms');
  row('S1b', title, 'commit p99', percentile(latencies, 0.99), 'ms');
}

// One replication, timed, with the bytes the server's sockets saw.
async function transfer(scenario, title, server, n, replicate) {
  const before = (await server.stats()).bytes;
  const start = now();
  const result = await replicate();
  const wall = seconds(start);
  row(scenario, title, 'wall', wall, 's');
  row(scenario, title, 'notes/s', n / wall);
  row(scenario, title, 'bytes on the wire', (await server.stats()).bytes - before, 'B');
  row(scenario, title, 'docs written', result.docs_written);
}

async function edit(db, from, to, who) {
  for (let k = from; k < to; ++k) {
    const doc = await db.get('note-' + String(k).padStart(8, '0'));
    doc.title = `Edited by ${who} ${k}`;
    doc.status = `reviewed by ${who}`;
    await db.put(doc);
  }
}

// Documents in conflict, and a digest of the visible state (winning revision and conflicts of each).
async function visible(db) {
  const all = await db.allDocs({ include_docs: true, conflicts: true });
  const hash = crypto.createHash('sha256');
  let conflicts = 0;
  for (const r of all.rows) {
    const c = (r.doc._conflicts || []).sort();
    if (c.length) ++conflicts;
    hash.update(`${r.id} ${r.doc._rev} ${c.join(',')}\n`);
  }
  return { conflicts, digest: hash.digest('hex') };
}

async function s4(a, b, remote, server) {
  await edit(a, 0, 100, 'A');
  await edit(b, 50, 150, 'B');
  const before = (await server.stats()).bytes;
  const start = now();
  for (let round = 0; round < 2; ++round) {
    await a.sync(remote);
    await b.sync(remote);
  }
  const wall = seconds(start);
  const va = await visible(a), vb = await visible(b);
  const title = 'edits with conflicts, 2 sync rounds';
  row('S4', title, 'wall', wall, 's');
  row('S4', title, 'bytes on the wire', (await server.stats()).bytes - before, 'B');
  row('S4', title, 'notes in conflict on A', va.conflicts);
  row('S4', title, 'notes in conflict on B', vb.conflicts);
  row('S4', title, 'converged', va.digest === vb.digest ? 1 : 0, '1 = equal state digests');
}

// S5's clients run as fresh processes of this script, so their peak RSS is their own.
async function s5Child(role, url, dir, n) {
  const db = new PouchDB(path.join(dir, role));
  const out = {};
  if (role === 'push') {
    let start = now();
    await writeInChunks(db, 0, n, 1000);
    out.write_s = seconds(start);
    start = now();
    await db.replicate.to(url + '/s5');
    out.wall_s = seconds(start);
  } else {
    const start = now();
    await db.replicate.from(url + '/s5');
    out.wall_s = seconds(start);
  }
  out.peak_rss_kb = peakRssKb();
  console.log(JSON.stringify(out));
}

async function s5(dir, n) {
  const server = await startServer(path.join(dir, 's5-server'));
  const child = (role) => JSON.parse(execFileSync(process.execPath,
    [__filename, '--s5-role', role, '--s5-url', server.url, '--dir', dir, '--s5-notes', String(n)],
    { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 }).toString());
  const push = child('push'), pull = child('pull');
  const serverKb = (await server.stats()).peak_rss_kb;
  await server.stop();
  const title = `scale, N = ${n}`;
  row('S5', title, 'client A write (1000/txn)', push.write_s, 's');
  row('S5', title, 'push wall', push.wall_s, 's');
  row('S5', title, 'push notes/s', n / push.wall_s);
  row('S5', title, 'pull wall', pull.wall_s, 's');
  row('S5', title, 'pull notes/s', n / pull.wall_s);
  row('S5', title, 'push + pull wall', push.wall_s + pull.wall_s, 's');
  row('S5', title, 'server peak RSS', serverKb / 1024, 'MB');
  row('S5', title, 'client A peak RSS', push.peak_rss_kb / 1024, 'MB');
  row('S5', title, 'client B peak RSS', pull.peak_rss_kb / 1024, 'MB');
}

async function main() {
  const role = option('s5-role');
  const n = Number(option('notes', 10000)), s5n = Number(option('s5-notes', 0));
  if (role) return s5Child(role, option('s5-url'), option('dir'), s5n);
  const dir = option('dir') || fs.mkdtempSync(path.join(os.tmpdir(), 'pouchdb-bench-'));
  try {
    await s1a(dir, n);
    const server = await startServer(path.join(dir, 'server'));
    try {
      const a = new PouchDB(path.join(dir, 'a')), b = new PouchDB(path.join(dir, 'b'));
      const remote = new PouchDB(server.url + '/bench');
      await s1b(a, n);
      await transfer('S2', 'replicate to express-pouchdb', server, n, () => a.replicate.to(remote));
      await transfer('S3', 'replicate from express-pouchdb', server, n, () => b.replicate.from(remote));
      await s4(a, b, remote, server);
      await Promise.all([a.close(), b.close(), remote.close()]);
    } finally {
      await server.stop();
    }
    if (s5n > 0) await s5(dir, s5n);
  } finally {
    if (!option('dir')) fs.rmSync(dir, { recursive: true, force: true });
  }
  const cpu = (/model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8')) || [])[1];
  const versions = Object.fromEntries(['pouchdb-node', 'express-pouchdb'].map((p) => [p, require(`${p}/package.json`).version]));
  console.log(JSON.stringify({ system: 'pouchdb', versions, node: process.version, machine: { cores: os.cpus().length, cpu }, rows }, null, 2));
}

main().catch((e) => {
  console.error('bench.js:', e);
  process.exit(1);
});
