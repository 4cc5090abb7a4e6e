// How the tests start Debian's Chromium (see shared TOOLCHAIN.md, "Browser"):
// the system binary, headless, no sandbox (root in CI), nothing phoning home.
export const CHROMIUM = process.env.CASEKEEP_CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];
