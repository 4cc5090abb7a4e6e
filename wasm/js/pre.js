// Runs before the module starts. libsodium's randombytes asks
// Module.getRandomValue for entropy, four bytes per call; give it the Web
// Crypto API, which the browser, workers and Node (globalThis.crypto) all
// have, so it never falls back to require(), which an ES module under Node
// does not have. One getRandomValues call fills a pool of 1,024 values: a call
// per value was about 30% of a note's write in the browser.
if (typeof Module.getRandomValue === "undefined" && globalThis.crypto && globalThis.crypto.getRandomValues) {
  Module.getRandomValue = (function () {
    var pool = new Uint32Array(1024);
    var next = pool.length;
    return function () {
      if (next === pool.length) {
        globalThis.crypto.getRandomValues(pool);
        next = 0;
      }
      var value = pool[next];
      pool[next++] = 0;  // a value is handed out once and not kept
      return value >>> 0;
    };
  })();
}

// MEMFS, where the vault's files live, grows a file past 1 MiB by
// an eighth when a write passes its end, copying it whole each time: a bulk
// write or a pull grows the database and its WAL by tens of MB, and those
// copies were a sixth of the browser's S1a and S3 (expandFileStorage in the
// profile). Doubling instead holds at most twice a file in memory, and the
// copies of a file's growth add up to about its size, not eight times it.
Module.preRun = [].concat(Module.preRun || [], function () {
  if (typeof MEMFS === "undefined") return;
  var expand = MEMFS.expandFileStorage;
  MEMFS.expandFileStorage = function (node, newCapacity) {
    var capacity = node.contents ? node.contents.length : 0;
    if (capacity >= newCapacity) return;  // it fits: most writes
    expand.call(this, node, Math.max(newCapacity, capacity * 2));
  };
});
