// Runs the browser end-to-end tests: node e2e.mjs SERVER_BIN CLI_BIN WEB_DIR ARTIFACT_DIR
// Each test gets its own server, temp dir and Chromium profile. Prints one
// line per check and ends with "browser: N passed, N failed".
import { mkdirSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { Checks, World } from "./harness.mjs";
import { walkthrough } from "./walkthrough.mjs";
import { conflict } from "./conflict.mjs";
import { practitioner } from "./practitioner.mjs";
import { idleLock } from "./idle.mjs";
import { storage } from "./storage.mjs";

const [server, cli, web, artifacts] = process.argv.slice(2).map((p) => p && resolve(p));
if (!artifacts) {
  console.error("usage: node e2e.mjs SERVER_BIN CLI_BIN WEB_DIR ARTIFACT_DIR");
  process.exit(2);
}
for (const file of [server, cli, `${web}/casekeep.mjs`, `${web}/index.html`, `${web}/sw.js`]) {
  if (!existsSync(file)) {
    console.error(`missing: ${file}`);
    process.exit(2);
  }
}
mkdirSync(artifacts, { recursive: true });
if (process.env.CASEKEEP_SCREENSHOTS) mkdirSync(process.env.CASEKEEP_SCREENSHOTS, { recursive: true });

const checks = new Checks();
const only = process.env.CASEKEEP_BROWSER_TEST;
for (const [name, test] of [["walkthrough", walkthrough], ["conflict", conflict], ["practitioner", practitioner], ["idle", idleLock], ["storage", storage]]) {
  if (only && only !== name) continue;
  const world = new World({ server, cli, web, artifacts });
  const started = Date.now();
  console.log(`# ${name}`);
  try {
    await test(world, checks);
  } catch (err) {
    if (!checks.failed) checks.failed += 1;
    console.log(`FAIL ${name} stopped: ${err && err.stack ? err.stack.split("\n").slice(0, 4).join("\n     ") : err}`);
    await world.keepEvidence(name);
  } finally {
    await world.close();
  }
  console.log(`# ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`browser: ${checks.passed} passed, ${checks.failed} failed`);
process.exit(checks.failed ? 1 : 0);
