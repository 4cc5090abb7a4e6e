// The in-page half of the S8 browser benchmark (bench/browser/run): the
// casekeep JS API (casekeep.mjs, the WebAssembly core, the vault in IndexedDB)
// driven through the issue-6 workload. bench/browser/bench.mjs serves this
// from a staged copy of the web root and calls window.bench.* with Playwright.
//
// Every call also reports where its time went: "flush" is IDBFS copying the
// vault file to IndexedDB (awaited by each write), "network" is fetch() until
// the response body is read, and the rest is the WebAssembly core (SQLite,
// crypto, JSON) and the JS glue.
import { open } from "/casekeep.mjs";
import { makeNote } from "/bench-workload.mjs";

let db;
const spent = { flush: 0, flushes: 0, network: 0, requests: 0 };

// Wrap the fetch() the sync exchange uses, to time the network part.
const realFetch = window.fetch.bind(window);
window.fetch = async (...args) => {
  const started = performance.now();
  const response = await realFetch(...args);
  const body = await response.arrayBuffer();
  spent.network += performance.now() - started;
  spent.requests += 1;
  const empty = [101, 204, 205, 304].includes(response.status);
  return new Response(empty ? null : body, { status: response.status, headers: response.headers });
};

// Times fn, with the flush and network time spent inside it.
async function measured(fn) {
  const before = { ...spent };
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  return {
    ...result,
    ms,
    flush_ms: spent.flush - before.flush,
    flushes: spent.flushes - before.flushes,
    network_ms: spent.network - before.network,
    requests: spent.requests - before.requests,
  };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

window.bench = {
  /** Open the vault (IndexedDB), create it with the default KDF, enrol with the page's server. */
  async setup(name, code) {
    const started = performance.now();
    db = await open();
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
    const opened = performance.now();
    await db.create("bench passphrase", name);
    const created = performance.now();
    await db.enroll(location.origin, code);
    return { open_ms: opened - started, create_ms: created - opened, enroll_ms: performance.now() - created };
  },

  async createInterview(caseId) {
    if (!caseId) caseId = await db.createCase({ kind: "imr", reference: "BENCH", title: "bench" });
    return { case: caseId, interview: await db.createInterview({ case: caseId, practitioner: "Pat" }) };
  },

  /** S1a: notes first..first+count-1 in one addNotes (one transaction, one flush). */
  async s1a(interview, first, count) {
    const notes = [];
    for (let k = 0; k < count; k++) notes.push(makeNote(first + k));
    return measured(async () => ({ written: (await db.addNotes(interview, notes)).length }));
  },

  /** S1b: one addNote per note, each flushed to IndexedDB before the next. */
  async s1b(interview, first, count) {
    const latencies = [];
    const result = await measured(async () => {
      for (let k = 0; k < count; k++) {
        const n = makeNote(first + k);
        const t = performance.now();
        await db.addNote(interview, n.title, n.body);
        latencies.push(performance.now() - t);
      }
      return { written: count };
    });
    return { ...result, p50_ms: percentile(latencies, 0.5), p99_ms: percentile(latencies, 0.99) };
  },

  async addMember(space, user, role) {
    await db.addMember(space, user, role);
    return {};
  },

  /** S2 (author) and S3 (member): one sync(), push then pull. */
  async sync() {
    return measured(async () => db.sync());
  },

  /** What the member now sees: the notes of the interview, and the vault's own check. */
  check(interview) {
    return { notes: db.notes(interview).length, problems: db.verify().length, unsynced: db.status().unsynced };
  },
};
window.benchReady = true;
