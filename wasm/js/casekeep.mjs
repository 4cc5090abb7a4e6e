// casekeep.mjs: the JavaScript API of casekeep (types in casekeep.d.ts).
//
// The core and the sync engine are the same C++ as the native client,
// compiled to WebAssembly (casekeep-core.mjs/.wasm). The vault is one SQLite
// file (and its WAL) in Emscripten's MEMFS, kept in IndexedDB by
// vault-store.mjs: loaded when opened, and the chunks a write changed are
// flushed back before the write's promise resolves. Requests to
// the server come out of the engine as plain values and travel with fetch();
// the engine never touches the network itself.
import createCasekeepCore from "./casekeep-core.mjs";
import { VaultStore } from "./vault-store.mjs";

export class CasekeepError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "CasekeepError";
    this.code = code;
  }
}

const VAULT_FILE = "vault.db";
const FRAMES_TYPE = "application/vnd.casekeep.frames";  // wire.hpp kFramesType
const EXCHANGE_FLUSH_MS = 2000;

export async function open(options = {}) {
  const core = await createCasekeepCore(options.wasmBinary ? { wasmBinary: options.wasmBinary } : {});
  const mount = "/" + (options.name || "casekeep");
  core.FS.mkdir(mount);
  const persistent = !options.memory && typeof indexedDB !== "undefined";
  let store = null;
  if (persistent) {
    try {
      store = await VaultStore.open(core.FS, core.IDBFS, mount);
    } catch (error) {
      throw storageError(error);
    }
  }
  const persisted = persistent ? await requestPersistence() : false;
  return new Casekeep(core, mount, store, persisted, options);
}

function storageError(error) {
  return new CasekeepError("storage", "The browser's storage failed: " + ((error && error.message) || error));
}

async function requestPersistence() {
  try {
    if (!navigator.storage || !navigator.storage.persist) return false;
    return (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch {
    return false;
  }
}

// One request of the sync engine, carried by fetch(). Any failure to get an
// answer is status 0, which the engine reports as "unavailable". `body` is
// text (JSON) or bytes (frames); so is the answer's.
async function carry(server, request, body) {
  const headers = {};
  if (body !== null) headers["Content-Type"] = request.content_type;
  if (request.accept) headers["Accept"] = request.accept;
  if (request.token) headers["Authorization"] = "Bearer " + request.token;
  try {
    const response = await fetch(new URL(request.path, server), {
      method: request.method,
      headers,
      body: body === null ? undefined : body,
      cache: "no-store",
    });
    const type = response.headers.get("Content-Type") || "";
    const frames = type.split(";")[0].trim() === FRAMES_TYPE;
    return {
      status: response.status,
      contentType: type,
      body: frames ? new Uint8Array(await response.arrayBuffer()) : await response.text(),
    };
  } catch {
    return { status: 0, contentType: "", body: "" };
  }
}

// Let the page paint (e.g. "Unlocking…") before a long synchronous step.
const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

export class Casekeep {
  constructor(core, mount, store, persisted, options) {
    this._core = core;
    this._store = store;
    this._persisted = persisted;
    this._onChange = options.onChange || (() => {});
    this._kdf = options.kdf;
    this._handle = this._withText(mount + "/" + VAULT_FILE, (path) => core._ck_open(path));
  }

  // Call fn with `text` as a UTF-8 C string on the wasm heap. (ccall's
  // "string" copies onto the 5 MB wasm stack, which a pull page of a megabyte
  // or a long list of notes can overflow.)
  _withText(text, fn) {
    const size = this._core.lengthBytesUTF8(text) + 1;
    const pointer = this._core._malloc(size);
    if (!pointer) throw new CasekeepError("storage", "Out of memory.");
    try {
      this._core.stringToUTF8(text, pointer, size);
      return fn(pointer);
    } finally {
      this._core._free(pointer);
    }
  }

  // The core's answer to one method, or a CasekeepError with its code.
  _invoke(method, args = {}) {
    const pointer = this._withText(method, (m) =>
      this._withText(JSON.stringify(args), (a) => this._core._ck_call(this._handle, m, a)));
    if (!pointer) throw new CasekeepError("storage", "Out of memory.");
    const text = this._core.UTF8ToString(pointer);
    this._core._ck_free(pointer);
    const answer = JSON.parse(text);
    if (answer.error) throw new CasekeepError(answer.error.code, answer.error.message);
    return answer.ok;
  }

  // A request's body: its JSON text, or its frames, copied out of the core's
  // buffer into a Blob. Chromium uploads a Blob several times faster than the
  // same bytes as a Uint8Array (1.8 MB over loopback: 16-50 ms against
  // 76-158 ms), and a push is a few such bodies.
  _requestBody(request) {
    if (request.body !== null) return request.body || null;
    const pointer = this._core._ck_buffer(this._handle, -1);
    return new Blob([this._core.HEAPU8.subarray(pointer, pointer + request.body_size)]);
  }

  // Give the core an answer (to "ahead" or "feed"): text inside the JSON
  // call, bytes through its buffer.
  _give(method, answer) {
    if (typeof answer.body === "string") {
      return this._invoke(method, { status: answer.status, content_type: answer.contentType, body: answer.body });
    }
    const pointer = this._core._ck_buffer(this._handle, answer.body.length);
    this._core.HEAPU8.set(answer.body, pointer);  // HEAPU8 read after the call: memory may have grown
    return this._invoke(method, { status: answer.status, content_type: answer.contentType, buffered: true });
  }

  // Writes the changed chunks to IndexedDB; flushes run one at a time.
  _flush() {
    if (!this._store) return Promise.resolve();
    return this._store.flush().catch((error) => {
      throw storageError(error);
    });
  }

  async _write(method, args) {
    try {
      return this._invoke(method, args);
    } finally {
      await this._flush();
      this._onChange();
    }
  }

  // Carry an exchange with the server: the engine says what to send, fetch()
  // sends it, and the answer goes back in. The vault is flushed at the end and
  // at most every EXCHANGE_FLUSH_MS on the way: each flush is an IndexedDB
  // transaction, and one per answer adds up over a long pull.
  // What an answer wrote and a crash lost is only fetched or acknowledged
  // again (the server answers a repeated push as a replay).
  async _exchange(server, method, args) {
    this._invoke(method, args);
    let flushed = performance.now();
    try {
      let request = this._invoke("next");
      let answer = request && carry(server, request, this._requestBody(request));
      while (answer) {
        // While the request travels: the one that follows it if its answer is
        // the expected one (a push accepted whole: the next batch).
        const guess = this._invoke("guess");
        const guessBody = guess && this._requestBody(guess);
        // The request after this answer, when already known (a pull's next
        // page), leaves before the core takes the answer in, so the server
        // answers it while the import runs. Its body is read only once this
        // thread is free again. S3 in Chromium, 10,000 notes, three alternating
        // runs with the sends ahead and early and libsodium's explicit_bzero:
        // 1.17-1.20 -> 1.03-1.09 s.
        const given = this._give("ahead", await answer);
        const aheadAnswer = given.request && carry(server, given.request, this._requestBody(given.request));
        // A push accepted whole: the next batch leaves before the answer is
        // taken in (acknowledged), so the server is not idle meanwhile.
        const guessAnswer = !aheadAnswer && guess && given.guess_fits ? carry(server, guess, guessBody) : null;
        let fed;
        try {
          fed = this._invoke("feed", { kept: true });
        } finally {
          if (performance.now() - flushed >= EXCHANGE_FLUSH_MS) {
            await this._flush();
            flushed = performance.now();
          }
        }
        if (aheadAnswer) {
          answer = aheadAnswer;
          continue;
        }
        if (fed.guess_kept) {
          answer = guessAnswer || carry(server, guess, guessBody);
          continue;
        }
        // Sent, but not expected after all: its answer is dropped, and what
        // it delivered is pushed again later and answered as a replay.
        if (guessAnswer) await guessAnswer;
        request = this._invoke("next");
        answer = request && carry(server, request, this._requestBody(request));
      }
      return this._invoke("result");
    } finally {
      await this._flush();
      this._onChange();
    }
  }

  status() {
    return { ...this._invoke("status"), persisted: this._persisted };
  }
  identity() {
    return this._invoke("identity");
  }

  async create(passphrase, displayName) {
    await yieldToPage();
    const args = { passphrase, name: displayName };
    if (this._kdf) args.kdf = this._kdf;
    await this._write("create", args);
  }
  async unlock(passphrase) {
    await yieldToPage();
    this._invoke("unlock", { passphrase });
    this._onChange();
  }
  lock() {
    this._invoke("lock");
    this._onChange();
  }

  enroll(server, code) {
    return this._exchange(server, "enroll", { server, code });
  }
  sync() {
    const { server } = this.status();
    return this._exchange(server, "sync", {});
  }

  createCase(input) {
    return this._write("create_case", input);
  }
  cases() {
    return this._invoke("cases");
  }
  get(id) {
    return this._invoke("get", { id });
  }
  createInterview(input) {
    return this._write("create_interview", input);
  }
  interviews(caseId) {
    return this._invoke("interviews", { case: caseId });
  }
  allInterviews() {
    return this._invoke("all_interviews");
  }
  addMember(space, user, role) {
    const { server } = this.status();
    return this._exchange(server, "add_member", { space, user, role });
  }
  members(space) {
    return this._invoke("members", { space });
  }

  addNote(interview, title, body) {
    return this._write("add_note", { interview, title, body });
  }
  addNotes(interview, notes) {
    return this._write("add_notes", { interview, notes });
  }
  batch(calls) {
    return this._write("batch", { calls });
  }
  editNote(note, changes) {
    return this._write("edit_note", { note, ...changes });
  }
  signNote(note) {
    return this._write("sign_note", { note });
  }
  agreeNote(note) {
    return this._write("agree_note", { note });
  }
  disputeNote(note, comment) {
    return this._write("dispute_note", { note, comment });
  }
  addAddendum(note, title, body) {
    return this._write("add_addendum", { note, title, body });
  }
  note(id) {
    return this._invoke("note", { id });
  }
  notes(interview) {
    return this._invoke("notes", { interview });
  }

  setField(record, field, value) {
    return this._write("set_field", { record, field, value });
  }
  history(record) {
    return this._invoke("history", { record });
  }
  verify() {
    return this._invoke("verify");
  }
  conflicts(space) {
    return this._invoke("conflicts", space ? { space } : {});
  }
  resolve(record, field, value) {
    return this._write("resolve", { record, field, value });
  }
}
