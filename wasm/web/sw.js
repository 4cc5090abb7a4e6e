// The service worker: keeps the app shell (pages, scripts, the WebAssembly
// core) in a versioned cache so casekeep opens with no network after the first
// visit. It never caches the sync API (/v1/) or anything from another origin:
// records live only in the encrypted vault, never in this cache.
// Bump VERSION whenever a file of the shell changes; the old cache is dropped.
const VERSION = "casekeep-shell-v4";
const SHELL = [
  "/",
  "/index.html",
  "/styles.css",
  "/manifest.webmanifest",
  "/icons/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/app/main.js",
  "/app/dom.js",
  "/app/idle.js",
  "/app/routes.js",
  "/app/syncbar.js",
  "/app/views/enrol.js",
  "/app/views/unlock.js",
  "/app/views/cases.js",
  "/app/views/case.js",
  "/app/views/interview.js",
  "/app/views/note.js",
  "/app/views/record.js",
  "/app/views/conflicts.js",
  "/app/views/history.js",
  "/app/views/settings.js",
  "/casekeep.mjs",
  "/vault-store.mjs",
  "/casekeep-core.mjs",
  "/casekeep-core.wasm",
];
const SHELL_PATHS = new Set(SHELL);

self.addEventListener("install", (event) => {
  // cache: "reload" so a new version never copies a stale HTTP-cached file.
  event.waitUntil(caches.open(VERSION)
    .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("casekeep-shell-") && n !== VERSION).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/v1/")) return;
  // Every page of the app is index.html; the view is chosen by the hash.
  const path = request.mode === "navigate" ? "/index.html" : url.pathname;
  if (!SHELL_PATHS.has(path)) return;
  event.respondWith(caches.open(VERSION)
    .then((cache) => cache.match(path))
    .then((cached) => cached || fetch(request)));
});
