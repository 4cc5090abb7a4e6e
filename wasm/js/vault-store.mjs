// vault-store.mjs: keeps the vault's files (the SQLite database and its WAL)
// in IndexedDB as fixed-size chunks, and writes back only the chunks a write
// touched.
//
// Why not Emscripten's IDBFS, which casekeep used first: it stores each file
// whole, so the flush after a one-note commit rewrote the whole WAL, and after
// each checkpoint the whole database: 30 ms per saved note at 10,000 notes,
// and more as the vault grows. Here the files live in MEMFS as before; the
// store notes which chunks each write, truncation or deletion touched, and a
// flush puts just those, in one IndexedDB transaction. What IndexedDB holds is
// therefore always the files as they stood at one moment between two calls
// into the core: the state a crash at that moment would leave on a disk, which
// SQLite recovers from.
//
// Layout, in the database "casekeep-vault:" + the mount directory:
//   files:  path -> { size }
//   chunks: [path, index] -> Uint8Array of CHUNK_BYTES (the file's last one shorter)
//   groups: [path, group] -> Uint8Array of GROUP_CHUNKS chunks, stored as one
// A group of a file (GROUP_CHUNKS chunks) with half its chunks dirty is
// written whole, and its chunk values deleted; a chunk value written later
// overrides its part of the group, until half the group is overridden and it
// is written whole again. Chromium keeps a value under 64 KiB in its LevelDB
// and one above in a file of its own (measured here: 30 MB as 32 KiB values
// took 0.4-0.6 s, as 1 MiB values 0.1 s; one 32 KiB value about 1 ms, one
// 64 KiB value 4.5-5 ms): a one-note commit (13-16 WAL frames of 4 KiB) puts
// two or three chunks, and a bulk write or a pull page whole groups.
// The wal-index (-shm) is not kept: SQLite rebuilds it from the WAL on open,
// and its writes come through mmap, which these hooks do not see.

export const CHUNK_BYTES = 32 * 1024;
export const GROUP_CHUNKS = 32;  // 1 MiB
const VERSION = 1;
const O_APPEND = 0o2000;  // musl's, as Emscripten's FS uses

function storeName(dir) {
  return "casekeep-vault:" + dir;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error || new Error("the transaction was aborted"));
  });
}

function openDatabase(name) {
  const request = indexedDB.open(name, VERSION);
  request.onupgradeneeded = () => {
    request.result.createObjectStore("files");
    request.result.createObjectStore("chunks");
    request.result.createObjectStore("groups");
  };
  return done(request);
}

// The database IDBFS kept a mount's files in (named after the mount), or null
// when there is none. Opening without a version would create it: abort that.
function openIdbfsDatabase(dir) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(dir);
    let absent = false;
    request.onupgradeneeded = () => {
      absent = true;
      request.transaction.abort();
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = (event) => {
      if (!absent) return reject(request.error);
      event.preventDefault();
      resolve(null);
    };
  });
}

// Resolves when deleted, or when another tab's open connection holds the
// deletion back (it completes once that tab lets go).
function deleteDatabase(name) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onblocked = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

// One page at a time: two pages, each writing back its own chunks of the same
// files, would interleave them into a database neither wrote. The Web Lock is
// held for the life of the page. Where there are no Web Locks (browsers before
// 2022), nothing stops a second page.
function holdLock(name) {
  if (typeof navigator === "undefined" || !navigator.locks) return Promise.resolve();
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) return reject(new Error("the vault is open in another tab or window of this browser: close it there, then reload"));
        resolve();
        return new Promise(() => {});  // never released by this page
      })
      .catch(reject);
  });
}

const allOf = (path) => IDBKeyRange.bound([path, 0], [path, Infinity]);
const from = (path, index) => IDBKeyRange.bound([path, index], [path, Infinity]);
const chunksOfGroup = (path, group) => IDBKeyRange.bound([path, group * GROUP_CHUNKS], [path, (group + 1) * GROUP_CHUNKS - 1]);
const GROUP_BYTES = CHUNK_BYTES * GROUP_CHUNKS;

export class VaultStore {
  // Loads the files of `dir` from IndexedDB into Emscripten's FS (from IDBFS's
  // database the first time, if casekeep kept them there), then watches them.
  static async open(FS, IDBFS, dir) {
    await holdLock(storeName(dir));
    const store = new VaultStore(FS, await openDatabase(storeName(dir)), dir);
    const loaded = await store._load();
    store._watch();
    const idbfs = await openIdbfsDatabase(dir);
    if (idbfs) {
      idbfs.close();
      if (!loaded) await store._migrate(IDBFS);
      await deleteDatabase(dir);  // only once its files are stored here
    }
    return store;
  }

  constructor(FS, db, dir) {
    this._FS = FS;
    this._db = db;
    this._dir = dir;
    this._dirty = new Map();  // path -> Set of chunk indexes
    this._stored = new Map();  // path -> { groups: Map of group -> bytes stored, chunks: Set of chunk indexes }
    this._flushing = Promise.resolve();
    this.written = { flushes: 0, values: 0, bytes: 0 };  // what flushes have put, for tests and the benchmark
  }

  // Writes every chunk touched since the last flush; flushes run one at a
  // time. On failure the chunks stay marked, for the next flush.
  flush() {
    this._flushing = this._flushing.catch(() => {}).then(() => this._flushNow());
    return this._flushing;
  }

  async _flushNow() {
    if (this._dirty.size === 0) return;
    const batch = this._dirty;
    this._dirty = new Map();
    let writes;
    try {
      writes = [...batch].map(([path, chunks]) => this._snapshot(path, chunks));
      // Strict: the transaction completes, and the write's promise resolves,
      // only once the browser has flushed it to disk, as a native commit
      // (synchronous = FULL). Chromium's default is relaxed since version 121:
      // done when it reaches the OS, and lost if the power fails before the
      // OS writes it.
      const transaction = this._db.transaction(["files", "chunks", "groups"], "readwrite", { durability: "strict" });
      const files = transaction.objectStore("files");
      const chunks = transaction.objectStore("chunks");
      const groups = transaction.objectStore("groups");
      for (const write of writes) {
        const { path, size } = write;
        if (size < 0) {
          files.delete(path);
          chunks.delete(allOf(path));
          groups.delete(allOf(path));
          continue;
        }
        files.put({ size }, path);
        chunks.delete(from(path, Math.ceil(size / CHUNK_BYTES)));
        groups.delete(from(path, Math.ceil(size / GROUP_BYTES)));
        for (const [group, bytes] of write.groups) {
          chunks.delete(chunksOfGroup(path, group));
          groups.put(bytes, [path, group]);
        }
        for (const [index, bytes] of write.chunks) chunks.put(bytes, [path, index]);
      }
      await committed(transaction);
    } catch (error) {
      for (const [path, indexes] of batch) for (const index of indexes) this._mark(path, index);
      throw error;
    }
    this.written.flushes += 1;
    for (const write of writes) {
      if (write.size < 0) this._stored.delete(write.path);
      else this._stored.set(write.path, write.stored);
      for (const [, bytes] of [...write.chunks, ...write.groups]) {
        this.written.values += 1;
        this.written.bytes += bytes.length;
      }
    }
  }

  // A dirty file's size (-1: it is gone), copies of its dirty chunks and of
  // the groups to write whole, and what is stored after, taken before the
  // first await, so no later write can slip into this flush.
  _snapshot(path, indexes) {
    const FS = this._FS;
    if (!FS.analyzePath(path).exists) return { path, size: -1, chunks: [], groups: [] };
    const size = FS.stat(path).size;
    const count = Math.ceil(size / CHUNK_BYTES);
    const before = this._stored.get(path) || { groups: new Map(), chunks: new Set() };
    const stored = {  // what the range deletes past the end leave
      groups: new Map([...before.groups].filter(([group]) => group * GROUP_BYTES < size)),
      chunks: new Set([...before.chunks].filter((index) => index < count)),
    };
    const dirty = new Map();  // group -> its dirty chunks
    for (const index of indexes) {
      if (index >= count) continue;
      const group = Math.floor(index / GROUP_CHUNKS);
      if (!dirty.has(group)) dirty.set(group, new Set());
      dirty.get(group).add(index);
    }
    const chunks = [], groups = [];
    const stream = FS.open(path, "r");
    const read = (start, length) => {
      const bytes = new Uint8Array(Math.min(length, size - start));
      FS.read(stream, bytes, 0, bytes.length, start);
      return bytes;
    };
    try {
      for (const [group, members] of dirty) {
        const start = group * GROUP_BYTES;
        const whole = stored.groups.get(group);
        let changed = members.size;  // chunks that will differ from the group's stored bytes
        if (whole !== undefined) {
          for (const index of stored.chunks)
            if (!members.has(index) && Math.floor(index / GROUP_CHUNKS) === group) changed++;
        }
        // Half of it new or overridden, or stored past the file's end (it was truncated): write it whole.
        if (2 * changed >= GROUP_CHUNKS || (whole !== undefined && start + whole > size)) {
          const bytes = read(start, GROUP_BYTES);
          groups.push([group, bytes]);
          stored.groups.set(group, bytes.length);
          for (let i = group * GROUP_CHUNKS; i < (group + 1) * GROUP_CHUNKS; i++) stored.chunks.delete(i);
        } else {
          for (const index of members) {
            chunks.push([index, read(index * CHUNK_BYTES, CHUNK_BYTES)]);
            stored.chunks.add(index);
          }
        }
      }
    } finally {
      FS.close(stream);
    }
    return { path, size, chunks, groups, stored };
  }

  async _load() {
    const transaction = this._db.transaction(["files", "chunks", "groups"], "readonly");
    const store = (name) => transaction.objectStore(name);
    const [paths, metas] = await Promise.all([done(store("files").getAllKeys()), done(store("files").getAll())]);
    const loaded = [];
    for (const [i, path] of paths.entries()) {
      const [chunkKeys, chunks, groupKeys, groups] = await Promise.all([
        done(store("chunks").getAllKeys(allOf(path))),
        done(store("chunks").getAll(allOf(path))),
        done(store("groups").getAllKeys(allOf(path))),
        done(store("groups").getAll(allOf(path))),
      ]);
      const groupParts = groupKeys.map(([, group], i) => ({ start: group * GROUP_BYTES, bytes: groups[i] }));
      const chunkParts = chunkKeys.map(([, index], i) => ({ start: index * CHUNK_BYTES, bytes: chunks[i] }));
      loaded.push([path, assemble(path, metas[i].size, groupParts, chunkParts)]);
      this._stored.set(path, {
        groups: new Map(groupKeys.map(([, group], i) => [group, groups[i].length])),
        chunks: new Set(chunkKeys.map(([, index]) => index)),
      });
    }
    for (const [path, contents] of loaded) this._FS.writeFile(path, contents, { canOwn: true });
    return loaded.length > 0;
  }

  // Copies the files IDBFS kept for this mount into this store.
  async _migrate(IDBFS) {
    const FS = this._FS;
    FS.mount(IDBFS, {}, this._dir);
    const files = [];
    try {
      await new Promise((resolve, reject) => FS.syncfs(true, (error) => (error ? reject(error) : resolve())));
      for (const name of FS.readdir(this._dir)) {
        const path = this._dir + "/" + name;
        if (!name.endsWith("-shm") && FS.isFile(FS.stat(path).mode)) files.push([path, FS.readFile(path)]);
      }
    } finally {
      FS.unmount(this._dir);
      if (IDBFS.dbs[this._dir]) IDBFS.dbs[this._dir].close();  // IDBFS keeps it open
      delete IDBFS.dbs[this._dir];
    }
    for (const [path, contents] of files) FS.writeFile(path, contents);  // watched: every chunk is marked
    await this.flush();
  }

  _kept(path) {
    return typeof path === "string" && path.startsWith(this._dir + "/") && !path.endsWith("-shm");
  }

  _mark(path, index) {
    let indexes = this._dirty.get(path);
    if (!indexes) this._dirty.set(path, (indexes = new Set()));
    if (index !== undefined) indexes.add(index);
  }

  _markRange(path, start, end) {
    this._mark(path);
    for (let i = Math.floor(start / CHUNK_BYTES); i * CHUNK_BYTES < end; i++) this._mark(path, i);
  }

  _size(path) {
    return this._FS.analyzePath(path).exists ? this._FS.stat(path).size : 0;
  }

  // Wraps the FS calls every change to a file goes through (the syscalls look
  // them up on FS at each call): write (pwrite, and writeFile), truncate
  // (ftruncate and O_TRUNC call it), unlink and rename.
  _watch() {
    const FS = this._FS;
    const absolute = (path) => (path.startsWith("/") ? path : FS.cwd().replace(/\/$/, "") + "/" + path);
    const { write, truncate, unlink, rename } = FS;
    FS.write = (stream, buffer, offset, length, position, canOwn) => {
      const path = stream.path;
      if (!this._kept(path)) return write(stream, buffer, offset, length, position, canOwn);
      let start = typeof position === "number" ? position : stream.position;
      if (stream.flags & O_APPEND) start = this._size(path);
      const written = write(stream, buffer, offset, length, position, canOwn);
      if (written > 0) this._markRange(path, start, start + written);
      return written;
    };
    FS.truncate = (target, length) => {
      const path = typeof target === "string" ? absolute(target) : FS.getPath(target);
      if (!this._kept(path)) return truncate(target, length);
      const before = this._size(path);
      truncate(target, length);
      // From the last byte kept: a group stored whole that now ends there is written again, shorter.
      this._markRange(path, Math.max(0, Math.min(before, length) - 1), Math.max(before, length));
    };
    FS.unlink = (path) => {
      unlink(path);
      if (this._kept(absolute(path))) this._mark(absolute(path));
    };
    FS.rename = (from, to) => {
      rename(from, to);
      if (this._kept(absolute(from))) this._mark(absolute(from));
      if (this._kept(absolute(to))) this._markRange(absolute(to), 0, this._size(absolute(to)));
    };
  }
}

// One file from its stored parts: its groups, then its chunks over them.
// Checked: no group past the file's end, each chunk its full length (the
// file's last one shorter), and every chunk of the file stored in one or the
// other. Anything else means the store was not written by this module.
function assemble(path, size, groups, chunks) {
  const contents = new Uint8Array(size);
  const count = Math.ceil(size / CHUNK_BYTES);
  const covered = new Uint8Array(count);
  const damaged = (what) => new Error(`${path}: the stored parts do not make up its ${size} bytes (${what})`);
  for (const { start, bytes } of groups) {
    if (bytes.length > GROUP_BYTES || start + bytes.length > size) throw damaged(`a group at byte ${start}`);
    contents.set(bytes, start);
    for (let i = start / CHUNK_BYTES; i < count && Math.min((i + 1) * CHUNK_BYTES, size) <= start + bytes.length; i++) covered[i] = 1;
  }
  for (const { start, bytes } of chunks) {
    const index = start / CHUNK_BYTES;
    if (index >= count || bytes.length !== Math.min(CHUNK_BYTES, size - start)) throw damaged(`a chunk at byte ${start}`);
    contents.set(bytes, start);
    covered[index] = 1;
  }
  const missing = covered.indexOf(0);
  if (missing >= 0) throw damaged(`nothing stored at byte ${missing * CHUNK_BYTES}`);
  return contents;
}
