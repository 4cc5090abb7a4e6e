// Runs before the module starts. libsodium's randombytes asks
// Module.getRandomValue for entropy; give it the Web Crypto API, which the
// browser, workers and Node (globalThis.crypto) all have, so it never falls
// back to require(), which an ES module under Node does not have.
if (typeof Module.getRandomValue === "undefined" && globalThis.crypto && globalThis.crypto.getRandomValues) {
  Module.getRandomValue = function () {
    var buffer = new Uint32Array(1);
    globalThis.crypto.getRandomValues(buffer);
    return buffer[0] >>> 0;
  };
}
