// Reads every value of every object store of every IndexedDB database of the
// page's origin and reports which of the given strings occur anywhere in them.
// Bytes (the vault's files, as Uint8Array chunks) are read as Latin-1 and as
// UTF-8, so ASCII text is found however it is stored; a store's byte values
// are also read joined in key order, so text cut across two chunks of a file
// is found too.

/** Runs in the page: returns { databases, stores, records, bytes, found: {needle: [where...]} }. */
async function scanIndexedDb(needles) {
  const result = { databases: [], stores: 0, records: 0, bytes: 0, found: {} };
  for (const n of needles) result.found[n] = [];
  const latin1 = new TextDecoder("latin1");
  const utf8 = new TextDecoder("utf-8");
  const look = (text, where) => {
    for (const n of needles) if (text.includes(n)) result.found[n].push(where);
  };
  const walk = (value, where, depth) => {
    if (value === null || value === undefined || depth > 8) return;
    if (typeof value === "string") return look(value, where);
    if (typeof value !== "object") return look(String(value), where);
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
      const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      result.bytes += bytes.length;
      look(latin1.decode(bytes), where);
      look(utf8.decode(bytes), where);
      return;
    }
    if (value instanceof Date) return;
    for (const [key, inner] of Object.entries(value)) walk(inner, `${where}.${key}`, depth + 1);
  };
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  for (const info of await indexedDB.databases()) {
    const db = await request(indexedDB.open(info.name));
    result.databases.push(info.name);
    for (const storeName of db.objectStoreNames) {
      result.stores += 1;
      const store = db.transaction(storeName, "readonly").objectStore(storeName);
      const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
      values.forEach((value, i) => {
        result.records += 1;
        const where = `${info.name}/${storeName}/${String(keys[i])}`;
        walk(keys[i], where, 0);
        walk(value, where, 0);
      });
      const chunks = values.filter((value) => ArrayBuffer.isView(value));
      if (chunks.length > 1) {
        const joined = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
        chunks.reduce((at, c) => (joined.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at), at + c.byteLength), 0);
        look(latin1.decode(joined), `${info.name}/${storeName} (joined)`);
        look(utf8.decode(joined), `${info.name}/${storeName} (joined)`);
      }
    }
    db.close();
  }
  return result;
}

export function scanPageIndexedDb(page, needles) {
  return page.evaluate(scanIndexedDb, needles);
}
