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
