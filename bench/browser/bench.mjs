// S8 (issue 6): S1-S3 of the issue-6 workload in headless Chromium through
// the WebAssembly build, beside the native casekeep-bench in the same run.
//   node bench.mjs --notes N --bench BIN --server BIN --web DIR [--batch B] [--json]
//                  [--accept-encoding VALUE] [--profile]
// (bench/browser/run checks the arguments and installs playwright-core.)
//
// One real casekeep-server on 127.0.0.1 serves a staged copy of the web root
// plus page.mjs and the workload. In author A's Chromium profile, a fresh
// vault writes N notes with addNotes, one transaction and flush per --batch
// (S1a); another takes N/10 notes with one addNote each (S1b); A writes N
// notes, one changeset each, in batch()es of --batch; A adds member B to its interview and
// sync()s (S2: the push phase is compared with native S2; sync then pulls
// A's own changesets back); member B (a second profile) sync()s the N notes
// down (S3). Then native casekeep-bench runs with the same N.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../../tests/browser/browser.mjs";

const here = dirname(fileURLToPath(import.meta.url));
// --batch: notes per addNotes call in S1a (default N: one transaction, as
// native S1a), and per batch() of S2's notes (default 1,000); each call is one
// transaction and one IndexedDB flush.
const opts = { notes: 10000, batch: 0, json: false };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === "--json") opts.json = true;
  else if (a === "--profile") opts.profile = true;
  else if (["--notes", "--batch", "--bench", "--server", "--web", "--accept-encoding"].includes(a)) opts[a.slice(2).replace("-e", "E")] = process.argv[++i];
  else throw new Error(`unknown argument ${a}`);
}
const N = Number(opts.notes);
const BATCH = Number(opts.batch);
const S1A_BATCH = BATCH || N, NOTES_BATCH = BATCH || 1000;
const N_B = Math.max(1, Math.floor(N / 10));
const STEP_MS = 120_000 + N * 60;  // any one step in the page; the run script bounds the whole
const log = (s) => process.stderr.write(s + "\n");

const dir = mkdtempSync(join(tmpdir(), "casekeep-bench-browser-"));
const serverLog = [];
const pageLog = [];
let server;
const contexts = [];

function withTimeout(what, promise, ms = STEP_MS) {
  let timer;
  const limit = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms); });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// The web root the server serves: the app's, plus the page and the workload
// (bench/compare/workload.js, CommonJS, wrapped as an ES module as it is).
function stageWeb() {
  const web = join(dir, "web");
  cpSync(opts.web, web, { recursive: true });
  cpSync(join(here, "page.mjs"), join(web, "bench-page.mjs"));
  const workload = readFileSync(join(here, "../compare/workload.js"), "utf8");
  writeFileSync(join(web, "bench-workload.mjs"),
    `const workload = (() => {\nconst module = { exports: {} };\n${workload}\nreturn module.exports;\n})();\nexport const { makeNote } = workload;\n`);
  writeFileSync(join(web, "bench.html"),
    '<!doctype html><meta charset="utf-8"><title>casekeep S8</title><link rel="icon" href="data:,"><script type="module" src="/bench-page.mjs"></script>\n');
  return web;
}

async function startServer(web) {
  server = spawn(opts.server, ["--data", join(dir, "server"), "--listen", "127.0.0.1:0", "--web", web],
    { stdio: ["ignore", "pipe", "pipe"] });
  server.stderr.on("data", (d) => serverLog.push(String(d)));
  return withTimeout("casekeep-server start", new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const found = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (found) resolve(found[1]);
    });
    server.on("exit", (code) => reject(new Error(`casekeep-server exited with ${code}`)));
  }), 15_000);
}

function operatorAdd(name, role) {
  return execFileSync(opts.server, ["--data", join(dir, "server"), "user", "add", "--name", name, "--role", role],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }).split("\n")[0].trim();
}

// Milliseconds the server spent in its handlers so far (its access log: ms=).
function serverMs() {
  let ms = 0;
  for (const m of serverLog.join("").matchAll(/ access method=\S+ route=\S+ status=\d+ in=\d+ out=\d+ ms=([\d.]+)/g)) ms += Number(m[1]);
  return ms;
}

/** A Chromium with its own fresh profile on disk, showing bench.html. */
async function browserPage(who, url) {
  const profile = join(dir, `profile-${who}`);
  mkdirSync(profile);
  // --accept-encoding VALUE (a diagnosis, not the benchmark): replace what Chromium
  // asks for (gzip, deflate, br), to see what the server's response compression costs.
  const extraHTTPHeaders = opts.acceptEncoding ? { "Accept-Encoding": opts.acceptEncoding } : undefined;
  const context = await chromium.launchPersistentContext(profile,
    { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, extraHTTPHeaders });
  contexts.push(context);
  context.setDefaultTimeout(STEP_MS);
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (m) => pageLog.push(`[${who} console.${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => pageLog.push(`[${who} pageerror] ${e.message}`));
  await page.goto(`${url}/bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 });
  // One call of window.bench.<step>(...args) in the page.
  const cdp = opts.profile ? await context.newCDPSession(page) : null;
  if (cdp) await cdp.send("Profiler.enable");
  return async (step, ...args) => {
    const before = serverMs();
    const profiled = cdp && ["s1a", "s1b", "sync"].includes(step);
    if (profiled) await cdp.send("Profiler.start");
    const result = await withTimeout(`${who}.${step}`, page.evaluate(([s, a]) => window.bench[s](...a), [step, args]));
    if (profiled) printProfile(`${who}.${step}`, (await cdp.send("Profiler.stop")).profile);
    await new Promise((r) => setTimeout(r, 50));  // the server's last access lines
    return { ...result, server_ms: serverMs() - before };
  };
}

// A C++ name without its template arguments and parameter list.
function shortName(name) {
  if (name.startsWith("(")) return name;  // (idle), (program), (garbage collector)
  let out = "";
  let depth = 0;
  for (const c of name.replace(/\(.*$/, "").replace(/operator<|operator>/g, "operator")) {
    if (c === "<") depth += 1;
    else if (c === ">") depth = Math.max(0, depth - 1);
    else if (depth === 0) out += c;
  }
  return out.replace(/json_abi_v[\d_]+::/g, "").slice(0, 120);
}

// --profile: the functions the page spent most of its own time in (V8's
// sampling profiler; WebAssembly functions are named only in a build linked
// with --profiling-funcs, e.g. passed with --web).
function printProfile(what, profile) {
  const ticks = new Map(profile.samples.map((id) => [id, 0]));
  profile.samples.forEach((id, k) => ticks.set(id, ticks.get(id) + (profile.timeDeltas[k] || 0)));
  const self = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const us = ticks.get(node.id) || 0;
    if (!us) continue;
    const { functionName, url } = node.callFrame;
    const name = `${shortName(functionName) || "(anonymous)"} ${url ? url.replace(/^.*\//, "") : ""}`.trim();
    self.set(name, (self.get(name) || 0) + us);
    total += us;
  }
  const top = [...self].sort((x, y) => y[1] - x[1]).slice(0, 15);
  log(`profile of ${what}: ${(total / 1e6).toFixed(2)} s sampled; top self time:`);
  for (const [name, us] of top) log(`  ${(100 * us / total).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${name}`);
}

function nativeRun() {
  log(`native: casekeep-bench --json --notes ${N} --scenarios S1,S2,S3 ...`);
  let out;
  try {
    out = execFileSync(opts.bench, ["--json", "--notes", String(N), "--scenarios", "S1,S2,S3", "--server", opts.server],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: (300 + N / 10) * 1000, maxBuffer: 64 << 20 });
  } catch (err) {
    throw new Error(`casekeep-bench failed: ${err.message}\n${String(err.stderr || "").slice(-4000)}`);
  }
  const rows = new Map(JSON.parse(out).rows.map((r) => [`${r.scenario}|${r.measure}`, r.value]));
  return (scenario, measure) => rows.get(`${scenario}|${measure}`);
}

const breakdown = (r) => `flush ${(r.flush_ms / 1000).toFixed(2)} s in ${r.flushes}, ` +
  `network ${(r.network_ms / 1000).toFixed(2)} s in ${r.requests} requests (server handlers ${(r.server_ms / 1000).toFixed(2)} s; ` +
  `pulls ${(r.pull_network_ms / 1000).toFixed(2)} s for ${(r.pull_bytes / 1e6).toFixed(1)} MB in ${r.pull_requests}; encoding ${r.encodings || "-"}), ` +
  (r.core_ms === undefined ? `core+glue ${((r.ms - r.flush_ms - r.network_ms) / 1000).toFixed(2)} s`
    : `core ${(r.core_ms / 1000).toFixed(2)} s, the rest ${((r.ms - r.flush_ms - r.core_ms) / 1000).toFixed(2)} s`);

async function browserRun() {
  const url = await startServer(stageWeb());
  log(`casekeep-server at ${url}; Chromium ${CHROMIUM}`);
  const codeA = operatorAdd("Bench A", "imr_author");
  const codeB = operatorAdd("Bench B", "note_taker");

  const a = await browserPage("A", url);
  const setupA = await a("setup", "a", "Bench A", codeA);
  log(`A: open ${setupA.open_ms.toFixed(0)} ms, create (default KDF) ${setupA.create_ms.toFixed(0)} ms, enrol ${setupA.enroll_ms.toFixed(0)} ms`);
  const { interview } = await a("interview", "a");
  // S1a in a fresh vault of its own, as native S1a.
  await a("setup", "s1a", "Bench S1a", "");
  const s1aSpace = await a("interview", "s1a");
  const s1a = await a("s1a", "s1a", s1aSpace.interview, 0, N, S1A_BATCH);
  if (s1a.written !== N) throw new Error(`S1a wrote ${s1a.written} of ${N}`);
  log(`S1a: ${N} notes in ${s1a.calls} addNotes in ${(s1a.ms / 1000).toFixed(2)} s (${breakdown(s1a)})`);
  // The member enrols, and the author adds them to the interview before writing
  // its N notes, as native S2-S3 do: a member added after the notes could read
  // none of them until the page with their key arrived, and S3 would measure
  // that backlog instead of a member's pull.
  const b = await browserPage("B", url);
  await b("setup", "b", "Bench B", codeB);
  await a("addMember", "a", interview, "Bench B", "note_taker");
  // A's notes for S2, one changeset each as native S2's (native writes them in S1b).
  const written = await a("writeEach", "a", interview, 0, N, NOTES_BATCH);
  if (written.written !== N) throw new Error(`A wrote ${written.written} of ${N}`);
  log(`S2 notes: ${N} notes, one changeset each, in batch()es of ${NOTES_BATCH}: ${(written.ms / 1000).toFixed(2)} s (${breakdown(written)})`);
  // S1b in a fresh vault of its own (as native S1b starts from an empty one).
  await a("setup", "s1b", "Bench S1b", "");
  const other = await a("interview", "s1b");
  const s1b = await a("s1b", "s1b", other.interview, 0, N_B);
  log(`S1b: ${N_B} notes in ${(s1b.ms / 1000).toFixed(2)} s (${breakdown(s1b)}), p50 ${s1b.p50_ms.toFixed(2)} ms, p99 ${s1b.p99_ms.toFixed(2)} ms; vault files at the end ` +
    Object.entries(s1b.vault_files).map(([f, size]) => `${f} ${(size / 1e6).toFixed(2)} MB`).join(", ") +
    `; its flushes put ${s1b.stored.values} values, ${(s1b.stored.bytes / 1e6).toFixed(2)} MB (${(s1b.stored.bytes / N_B / 1024).toFixed(1)} KiB a note)`);

  const s2 = await a("sync", "a");
  log(`S2: sync sent ${s2.sent} changesets: push ${(s2.push_ms / 1000).toFixed(2)} s, then pulled ${s2.received} in ` +
    `${((s2.ms - s2.push_ms) / 1000).toFixed(2)} s (${breakdown(s2)})`);
  if (s2.pending !== 0) throw new Error(`S2 left ${s2.pending} changesets pending`);
  await contexts.shift().close();

  const s3 = await b("sync", "b");
  log(`S3: sync received ${s3.received} changesets in ${(s3.ms / 1000).toFixed(2)} s (${breakdown(s3)})`);
  const seen = await b("check", "b", interview);
  if (seen.notes !== N || seen.problems !== 0) throw new Error(`member B sees ${seen.notes} of ${N} notes, ${seen.problems} verify problems`);
  return { setupA, s1a, s1b, s2, s3 };
}

let cleaning;
function cleanup() {
  cleaning = cleaning || closeAll();
  return cleaning;
}

async function closeAll() {
  if (process.env.CASEKEEP_BENCH_SERVER_LOG && serverLog.length) log(`---- server log ----\n${serverLog.join("")}`);
  serverLog.length = 0;
  for (const c of contexts) await c.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await withTimeout("casekeep-server stop", new Promise((r) => server.once("exit", r)), 10_000).catch(() => server.kill("SIGKILL"));
  }
  rmSync(dir, { recursive: true, force: true });
}

function table(br, native) {
  const rows = [
    // scenario, measure, unit, browser, native, higher is better
    ["S1a", "notes/s", "", N / (br.s1a.ms / 1000), native("S1a", "notes/s"), true],
    ["S1b", "notes/s", "", N_B / (br.s1b.ms / 1000), native("S1b", "notes/s"), true],
    ["S1b", "commit p50", "ms", br.s1b.p50_ms, native("S1b", "commit p50"), false],
    ["S1b", "commit p99", "ms", br.s1b.p99_ms, native("S1b", "commit p99"), false],
    ["S2", "push wall", "s", br.s2.push_ms / 1000, native("S2", "wall"), false],
    ["S2", "push notes/s", "", N / (br.s2.push_ms / 1000), native("S2", "notes/s"), true],
    ["S2", "sync wall (push, then pull back)", "s", br.s2.ms / 1000, undefined, false],
    ["S3", "wall", "s", br.s3.ms / 1000, native("S3", "wall"), false],
    ["S3", "notes/s", "", N / (br.s3.ms / 1000), native("S3", "notes/s"), true],
  ].map(([scenario, measure, unit, browser, nat, higher]) => {
    // How many times slower the browser is (the target: at most 2.5).
    if (nat === undefined) return { scenario, measure, unit, browser };
    const slower = higher ? nat / browser : browser / nat;
    return { scenario, measure, unit, browser, native: nat, ratio: browser / nat, slower, within_2_5x: slower <= 2.5 };
  });
  return rows;
}

const fmt = (v) => (v === undefined || Number.isNaN(v) ? "" : Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-GB") : Number(v.toFixed(3)).toString());

function print(rows, br) {
  const machine = { cores: cpus().length, cpu: cpus()[0].model, loadavg: loadavg().map((l) => l.toFixed(2)).join(" "),
    chromium: execFileSync(CHROMIUM, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() };
  if (opts.json) {
    const where = ({ written, p50_ms, p99_ms, sent, received, pending, conflicts, stored, ...time }) => time;  // and vault_files
    console.log(JSON.stringify({ machine, notes: N, s1a_batch: S1A_BATCH, s1b_notes: N_B, accept_encoding: opts.acceptEncoding || "(Chromium's)", rows,
      browser_time: { s1a: where(br.s1a), s1b: where(br.s1b), s2: where(br.s2), s3: where(br.s3) },
      create_ms: br.setupA.create_ms }, null, 2));
    return;
  }
  console.log(`S8: casekeep in ${machine.chromium} (WebAssembly, IndexedDB) vs native, N = ${N} ` +
    `(browser S1a: addNotes of at most ${S1A_BATCH}; S1b: ${N_B} notes into a fresh vault)` +
    `${opts.acceptEncoding ? `; Accept-Encoding forced to "${opts.acceptEncoding}" (a diagnosis)` : ""}; ${machine.cores} cores, ${machine.cpu}; load at end ${machine.loadavg}\n`);
  const lines = [["scenario", "measure", "browser", "native", "browser/native", "browser slower (x)", "<= 2.5x"]];
  for (const r of rows) {
    lines.push([r.scenario, r.measure + (r.unit ? ` (${r.unit})` : ""), fmt(r.browser), fmt(r.native), fmt(r.ratio), fmt(r.slower), r.native === undefined ? "" : r.within_2_5x ? "yes" : "no"]);
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  for (const l of lines) console.log(l.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  console.log("\nWhere the browser's time went (flush = vault-store.mjs writing the chunks a write changed to IndexedDB; network = fetch until the body is read, of which server handlers = the server's own time (its access log); core = the calls into the WebAssembly core, which requests sent ahead overlap; the rest = JS glue and waiting for the network):");
  for (const [name, r] of [["S1a", br.s1a], ["S1b", br.s1b], ["S2", br.s2], ["S3", br.s3]]) {
    console.log(`  ${name}: ${(r.ms / 1000).toFixed(2)} s = ${breakdown(r)}`);
  }
}

// Stopped by the run script's timeout (or ^C): close what was started, then go.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    log(`bench/browser: ${signal}, cleaning up`);
    cleanup().finally(() => process.exit(1));
  });
}

let failed = false;
try {
  const br = await browserRun();
  await cleanup();
  const native = nativeRun();
  print(table(br, native), br);
} catch (err) {
  failed = true;
  log(`bench/browser: FAILED: ${err && err.stack ? err.stack : err}`);
  log(`---- page log ----\n${pageLog.join("\n").slice(-4000)}\n---- server log ----\n${serverLog.join("").slice(-4000)}`);
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);
