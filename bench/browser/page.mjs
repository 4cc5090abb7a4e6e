// The in-page half of the S8 browser benchmark (bench/browser/run): the
// casekeep JS API (casekeep.mjs, the WebAssembly core, the vault in IndexedDB)
// driven through the issue-6 workload. bench/browser/bench.mjs serves this
// from a staged copy of the web root and calls window.bench.* with Playwright.
//
// Every call also reports where its time went: "flush" is vault-store.mjs
// writing the chunks a write changed to IndexedDB (awaited by each write),
// "network" is fetch() until the response body is read, "core" the calls
// into the WebAssembly core (SQLite, crypto, JSON), and the rest is JS glue
// and waiting. A pull's next page travels while the core imports the page
// before (casekeep.mjs sends it ahead), so network and core overlap.
import { open } from "/casekeep.mjs";
import { makeNote } from "/bench-workload.mjs";

const vaults = {};  // by IndexedDB name
const spent = { flush: 0, flushes: 0, network: 0, core: 0 };
const requests = [];  // { path, start, ms, bytes, encoding }

// Wrap the fetch() the sync exchange uses, to time the network part.
const realFetch = window.fetch.bind(window);
window.fetch = async (resource, init) => {
  const start = performance.now();
  const response = await realFetch(resource, init);
  const body = await response.arrayBuffer();
  const ms = performance.now() - start;
  spent.network += ms;
  requests.push({ path: new URL(String(resource), location.href).pathname, start, ms, bytes: body.byteLength,
    encoding: response.headers.get("content-encoding") || "" });
  const empty = [101, 204, 205, 304].includes(response.status);
  return new Response(empty ? null : body, { status: response.status, headers: response.headers });
};

// Times fn, with the flush and network time spent inside it.
async function measured(fn) {
  const before = { ...spent };
  const first = requests.length;
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  const mine = requests.slice(first);
  // A sync() pushes, then pulls: the push phase ends where the first pull starts.
  const pull = mine.find((r) => r.path.endsWith("/pull"));
  return {
    ...result,
    ms,
    push_ms: pull ? pull.start - started : ms,
    flush_ms: spent.flush - before.flush,
    core_ms: spent.core - before.core,
    flushes: spent.flushes - before.flushes,
    network_ms: spent.network - before.network,
    requests: mine.length,
    pull_requests: mine.filter((r) => r.path.endsWith("/pull")).length,
    pull_network_ms: mine.filter((r) => r.path.endsWith("/pull")).reduce((s, r) => s + r.ms, 0),
    pull_bytes: mine.filter((r) => r.path.endsWith("/pull")).reduce((s, r) => s + r.bytes, 0),
    encodings: [...new Set(mine.map((r) => r.encoding || "identity"))].join(","),
  };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// A vault in IndexedDB database `store`, its flushes timed.
async function openVault(store) {
  const db = await open({ name: store });
  const flush = db._flush.bind(db);
  db._flush = async () => {
    const t = performance.now();
    try {
      return await flush();
    } finally {
      spent.flush += performance.now() - t;
      spent.flushes += 1;
    }
  };
  // Every call into the WebAssembly core goes through _invoke, synchronously:
  // its time is the core's (and the JSON across), whatever overlaps it.
  const invoke = db._invoke.bind(db);
  db._invoke = (method, args) => {
    const t = performance.now();
    try {
      return invoke(method, args);
    } finally {
      spent.core += performance.now() - t;
    }
  };
  vaults[store] = db;
  return db;
}

async function caseAndInterview(db) {
  const caseId = await db.createCase({ kind: "imr", reference: "BENCH", title: "bench" });
  return db.createInterview({ case: caseId, practitioner: "Pat" });
}

window.bench = {
  /** Create a vault (default KDF) in IndexedDB database `store`; enrol it with the page's server when given a code. */
  async setup(store, name, code) {
    const started = performance.now();
    const db = await openVault(store);
    const opened = performance.now();
    await db.create("bench passphrase", name);
    const created = performance.now();
    if (code) await db.enroll(location.origin, code);
    return { open_ms: opened - started, create_ms: created - opened, enroll_ms: performance.now() - created };
  },

  async interview(store) {
    return { interview: await caseAndInterview(vaults[store]) };
  },

  /** S1a: notes first..first+count-1 by addNotes (one transaction, one flush), at most `batch` a call. */
  async s1a(store, interview, first, count, batch) {
    const batches = [];
    for (let k = 0; k < count; k += batch) {
      const notes = [];
      for (let j = k; j < Math.min(count, k + batch); j++) notes.push(makeNote(first + j));
      batches.push(notes);
    }
    return measured(async () => {
      let written = 0;
      for (const notes of batches) written += (await vaults[store].addNotes(interview, notes)).length;
      return { written, calls: batches.length };
    });
  },

  /** S2's notes, as native S2 has them: one changeset each (addNote calls in batch()es of `batch`). */
  async writeEach(store, interview, first, count, batch) {
    return measured(async () => {
      let written = 0;
      for (let k = 0; k < count; k += batch) {
        const calls = [];
        for (let j = k; j < Math.min(count, k + batch); j++) {
          const n = makeNote(first + j);
          calls.push({ method: "add_note", args: { interview, title: n.title, body: n.body } });
        }
        written += (await vaults[store].batch(calls)).length;
      }
      return { written };
    });
  },

  /** S1b: one addNote per note, each flushed to IndexedDB before the next. */
  async s1b(store, interview, first, count) {
    const db = vaults[store];
    const latencies = [];
    const written = () => (db._store ? { ...db._store.written } : { values: NaN, bytes: NaN });  // NaN: a build before vault-store.mjs
    const before = written();
    const result = await measured(async () => {
      for (let k = 0; k < count; k++) {
        const n = makeNote(first + k);
        const t = performance.now();
        await db.addNote(interview, n.title, n.body);
        latencies.push(performance.now() - t);
      }
      return { written: count };
    });
    // What the flushes put in IndexedDB, against the size of the vault's files.
    const after = written();
    const stored = { values: after.values - before.values, bytes: after.bytes - before.bytes };
    const FS = db._core.FS;
    const files = FS.readdir(`/${store}`).filter((f) => f !== "." && f !== "..");
    const vault_files = Object.fromEntries(files.map((f) => [f, FS.stat(`/${store}/${f}`).size]));
    return { ...result, p50_ms: percentile(latencies, 0.5), p99_ms: percentile(latencies, 0.99), vault_files, stored };
  },

  async addMember(store, space, user, role) {
    await vaults[store].addMember(space, user, role);
    return {};
  },

  /** S2 (author) and S3 (member): one sync(), push then pull. */
  async sync(store) {
    return measured(async () => vaults[store].sync());
  },

  /** What the member now sees: the notes of the interview, and the vault's own check. */
  check(store, interview) {
    const db = vaults[store];
    return { notes: db.notes(interview).length, problems: db.verify().length, unsynced: db.status().unsynced };
  },
};
window.benchReady = true;
