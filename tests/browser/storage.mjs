// The vault in the browser's storage (wasm/js/vault-store.mjs): IndexedDB
// holds exactly the files the core wrote, a save writes only the chunks it
// changed, a reload opens the vault from them, a vault IDBFS kept is moved
// over, and a damaged store is refused without being touched.
import { expect, PASSPHRASE } from "./harness.mjs";
import { CHUNK_BYTES, GROUP_CHUNKS } from "../../wasm/js/vault-store.mjs";

// Runs in the page: what IndexedDB store `name` holds, and what the core's
// files are, as { path: hex digest }, so the two can be compared.
async function storedAndInMemory([name, CHUNK_BYTES, GROUP_CHUNKS]) {
  const hex = async (bytes) =>
    [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
  const request = (r) => new Promise((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
  const db = await request(indexedDB.open("casekeep-vault:/" + name));
  const tx = db.transaction(["files", "chunks", "groups"], "readonly");
  const stored = {};
  for (const path of await request(tx.objectStore("files").getAllKeys())) {
    const { size } = await request(tx.objectStore("files").get(path));
    const range = IDBKeyRange.bound([path, 0], [path, Infinity]);
    const parts = [];
    for (const [store, span] of [["groups", CHUNK_BYTES * GROUP_CHUNKS], ["chunks", CHUNK_BYTES]]) {
      const [keys, values] = await Promise.all([request(tx.objectStore(store).getAllKeys(range)), request(tx.objectStore(store).getAll(range))]);
      keys.forEach(([, at], i) => parts.push({ start: at * span, bytes: values[i] }));
    }
    // Groups first, then the chunks that override them.
    const whole = new Uint8Array(size);
    const covered = new Uint8Array(size);
    for (const { start, bytes } of parts) {
      whole.set(bytes.subarray(0, Math.max(0, size - start)), start);
      covered.fill(1, start, start + bytes.length);
    }
    const gap = covered.indexOf(0);
    stored[path] = gap < 0 ? await hex(whole) : `${parts.length} parts, byte ${gap} of ${size} in none`;
  }
  db.close();
  const FS = window.vaults[name]._core.FS;
  const memory = {};
  for (const file of FS.readdir("/" + name)) {
    const path = `/${name}/${file}`;
    if (FS.isFile(FS.stat(path).mode) && !file.endsWith("-shm")) memory[path] = await hex(FS.readFile(path));
  }
  return { stored, memory };
}

async function expectStoredAsInMemory(page, name) {
  const { stored, memory } = await page.evaluate(storedAndInMemory, [name, CHUNK_BYTES, GROUP_CHUNKS]);
  const a = JSON.stringify(stored, Object.keys(stored).sort());
  const b = JSON.stringify(memory, Object.keys(memory).sort());
  expect(a === b, `IndexedDB holds ${a}, the core's files are ${b}`);
  return Object.keys(memory);
}

const openVault = (page, name) =>
  page.evaluate(async (name) => {
    const { open } = await import("/casekeep.mjs");
    window.vaults = window.vaults || {};
    window.vaults[name] = await open({ name });
  }, name);

// Opens vault `name`, unlocks it, and expects every note of the test there, verified.
// Every note the checks before it saved: 200 + 1,000 + 5 + 1 + 60 + 3,000, and the one whose save IndexedDB refused.
async function expectAllNotes(page, name, interview) {
  await openVault(page, name);
  const seen = await page.evaluate(async ([name, passphrase, interview]) => {
    const ck = window.vaults[name];
    await ck.unlock(passphrase);
    return { notes: ck.notes(interview).length, problems: ck.verify().length };
  }, [name, PASSPHRASE, interview]);
  expect(seen.notes === 4267 && seen.problems === 0, `vault ${name}: ${JSON.stringify(seen)}`);
}

const databases = (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

export async function storage(world, checks) {
  const check = checks.check.bind(checks);
  const url = await world.startServer();
  const page = await world.launchBrowser();
  await page.goto(url);

  let interview;
  await check("storage: a new vault is kept as its files' chunks: the database and its WAL, byte for byte, no wal-index", async () => {
    await openVault(page, "store");
    interview = await page.evaluate(async (passphrase) => {
      const ck = window.vaults.store;
      await ck.create(passphrase, "Sam Store");
      const caseId = await ck.createCase({ kind: "imr", reference: "IMR-ST-1", title: "Storage case" });
      const interview = await ck.createInterview({ case: caseId, practitioner: "Pat", where: "Ward 3" });
      const notes = (n) => Array.from({ length: n }, (_, i) => ({ title: `Note ${i}`, body: "words ".repeat(170) + i }));
      await ck.addNotes(interview, notes(200));
      await ck.addNotes(interview, notes(1000));  // past the WAL's checkpoint: the database is written, the WAL restarts
      return interview;
    }, PASSPHRASE);
    const files = await expectStoredAsInMemory(page, "store");
    expect(files.includes("/store/vault.db") && files.includes("/store/vault.db-wal"), `the files are ${files}`);
  });

  await check("storage: saving one note writes a few chunks, not the files whole, and IndexedDB still matches", async () => {
    const written = await page.evaluate(async (interview) => {
      const ck = window.vaults.store;
      const before = { ...ck._store.written };
      for (let i = 0; i < 5; i++) await ck.addNote(interview, `Single ${i}`, "one note, saved by itself");
      const after = ck._store.written;
      const FS = ck._core.FS;
      const size = FS.stat("/store/vault.db").size + FS.stat("/store/vault.db-wal").size;
      return { flushes: after.flushes - before.flushes, values: after.values - before.values, bytes: after.bytes - before.bytes, size };
    }, interview);
    expect(written.flushes === 5, `${written.flushes} flushes for 5 saves`);
    expect(written.size >= 40 * CHUNK_BYTES, `the files hold only ${written.size} bytes`);
    expect(written.values <= 5 * 4 && written.bytes <= written.values * CHUNK_BYTES,
           `5 saves wrote ${written.values} values, ${written.bytes} bytes`);
    await expectStoredAsInMemory(page, "store");
  });

  await check("storage: a save resolves only after a strict IndexedDB transaction, which the browser flushes to disk first", async () => {
    const seen = await page.evaluate(async (interview) => {
      const ck = window.vaults.store;
      const open = IDBDatabase.prototype.transaction;
      const durabilities = [];
      IDBDatabase.prototype.transaction = function (stores, mode, options) {
        const t = open.call(this, stores, mode, options);
        if (mode === "readwrite") durabilities.push(t.durability);
        return t;
      };
      try {
        await ck.addNote(interview, "Durable", "saved, then flushed to disk before the promise resolves");
      } finally {
        IDBDatabase.prototype.transaction = open;
      }
      return durabilities;
    }, interview);
    expect(seen.length === 1 && seen[0] === "strict", `the save's read-write transactions had durability ${JSON.stringify(seen)}`);
  });

  await check("storage: saves that override half a group write it whole again; a checkpoint empties the WAL; IndexedDB follows both", async () => {
    const sizes = await page.evaluate(async (interview) => {
      const ck = window.vaults.store;
      for (let i = 0; i < 60; i++) await ck.addNote(interview, `Override ${i}`, "words ".repeat(170));
      const FS = ck._core.FS;
      const walBefore = FS.stat("/store/vault.db-wal").size;
      const notes = Array.from({ length: 3000 }, (_, i) => ({ title: `Bulk ${i}`, body: "other words ".repeat(85) + i }));
      await ck.addNotes(interview, notes);  // past the checkpoint's 4,000 pages
      return { walBefore, wal: FS.stat("/store/vault.db-wal").size, db: FS.stat("/store/vault.db").size };
    }, interview);
    expect(sizes.walBefore > 4 << 20 && sizes.wal === 0 && sizes.db > 10 << 20, `the files: ${JSON.stringify(sizes)}`);
    await expectStoredAsInMemory(page, "store");
  });

  await check("storage: a file cut short, renamed or deleted, with nothing else written since, is followed in IndexedDB", async () => {
    const step = (change) =>
      page.evaluate(async (change) => {
        const ck = window.vaults.store;
        const FS = ck._core.FS;
        if (change === "write") FS.writeFile("/store/scratch", new Uint8Array(2.5 * 1024 * 1024).fill(7));  // groups whole
        if (change === "cut") FS.truncate("/store/scratch", 1.3 * 1024 * 1024);  // into the second group
        if (change === "rename") FS.rename("/store/scratch", "/store/scratch-2");
        if (change === "delete") FS.unlink("/store/scratch-2");
        await ck._flush();
      }, change);
    for (const change of ["write", "cut", "rename", "delete"]) {
      await step(change);
      await expectStoredAsInMemory(page, "store");
    }
  });

  await check("storage: a save IndexedDB refuses is reported as a storage error, and its chunks go with the next flush", async () => {
    const outcome = await page.evaluate(async (interview) => {
      const ck = window.vaults.store;
      ck._store._db.close();  // IndexedDB now refuses every transaction of this connection
      let error = null;
      try {
        await ck.addNote(interview, "Refused", "saved in memory, not yet in IndexedDB");
      } catch (e) {
        error = { code: e.code, message: e.message };
      }
      const request = indexedDB.open("casekeep-vault:/store");
      ck._store._db = await new Promise((resolve, reject) => ((request.onsuccess = () => resolve(request.result)), (request.onerror = reject)));
      await ck._flush();
      return error;
    }, interview);
    expect(outcome && outcome.code === "storage", `the refused save gave ${JSON.stringify(outcome)}`);
    await expectStoredAsInMemory(page, "store");
  });

  await check("storage: after a reload the vault opens from its chunks, unlocks, and holds every note", async () => {
    await page.reload();
    await expectAllNotes(page, "store", interview);
    await expectStoredAsInMemory(page, "store");
  });

  await check("storage: a vault Emscripten's IDBFS kept is moved into chunks when opened, and IDBFS's database removed", async () => {
    await page.evaluate(async () => {
      // The files of the open vault, written through the real IDBFS, as casekeep kept them before.
      const FS = window.vaults.store._core.FS;
      const files = FS.readdir("/store").filter((f) => FS.isFile(FS.stat("/store/" + f).mode));
      const core = await (await import("/casekeep-core.mjs")).default();
      core.FS.mkdir("/old");
      core.FS.mount(core.IDBFS, {}, "/old");
      for (const f of files) core.FS.writeFile("/old/" + f, FS.readFile("/store/" + f));
      await new Promise((resolve, reject) => core.FS.syncfs(false, (e) => (e ? reject(e) : resolve())));
      core.IDBFS.dbs["/old"].close();
    });
    expect((await databases(page)).includes("/old"), "IDBFS's database was not written");
    await expectAllNotes(page, "old", interview);
    const names = await databases(page);
    expect(!names.includes("/old") && names.includes("casekeep-vault:/old"), `the databases are ${names}`);
    await expectStoredAsInMemory(page, "old");
  });

  await check("storage: a second tab cannot open a vault the first has open, and is told why", async () => {
    const other = await world.context.newPage();
    await other.goto(url);
    const outcome = await other.evaluate(async () => {
      try {
        await (await import("/casekeep.mjs")).open({ name: "old" });
        return null;
      } catch (e) {
        return { code: e.code, message: e.message };
      }
    });
    await other.close();
    expect(outcome && outcome.code === "storage" && /open in another tab/.test(outcome.message), `the second tab got ${JSON.stringify(outcome)}`);
  });

  await check("storage: a store missing a part of a file is refused with a storage error, and left as it was", async () => {
    await page.reload();  // this page lets go of the vault
    const outcome = await page.evaluate(async () => {
      const request = (r) => new Promise((resolve, reject) => ((r.onsuccess = () => resolve(r.result)), (r.onerror = () => reject(r.error))));
      const db = await request(indexedDB.open("casekeep-vault:/old"));
      const count = () => request(db.transaction("groups").objectStore("groups").count());
      const tx = db.transaction("groups", "readwrite");
      tx.objectStore("groups").delete(["/old/vault.db", 1]);  // the moved files were written whole
      await new Promise((resolve) => (tx.oncomplete = resolve));
      const before = await count();
      let error = null;
      try {
        await (await import("/casekeep.mjs")).open({ name: "old" });
      } catch (e) {
        error = { code: e.code, message: e.message };
      }
      const after = await count();
      db.close();
      return { error, before, after };
    });
    expect(outcome.error && outcome.error.code === "storage", `open gave ${JSON.stringify(outcome.error)}`);
    expect(/vault\.db: the stored parts do not make up/.test(outcome.error.message), `the message: ${outcome.error.message}`);
    expect(outcome.before === outcome.after, `chunks before ${outcome.before}, after ${outcome.after}`);
  });
}
