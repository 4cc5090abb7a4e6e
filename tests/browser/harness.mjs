// What the browser tests stand on: a real casekeep-server on a free loopback
// port with its operator commands, real CLI clients, Chromium with a fresh
// profile, and checks that print one line each and are counted.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./browser.mjs";

export const PASSPHRASE = "browser e2e passphrase";
export const PORTRAIT = { width: 800, height: 1280 };
export const LANDSCAPE = { width: 1280, height: 800 };

export class Checks {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  /** Runs one check; a failure is counted, printed and rethrown (later steps depend on it). */
  async check(name, fn) {
    const started = Date.now();
    try {
      const result = await fn();
      this.passed += 1;
      console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    } catch (err) {
      this.failed += 1;
      console.log(`FAIL ${name}: ${err && err.message ? err.message.split("\n")[0] : err}`);
      throw err;
    }
  }
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Polls fn until it returns a truthy value; throws with `what` after timeoutMs. */
export async function waitUntil(what, fn, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A world for one test: a temp dir, the server, the CLI users, the browser. */
export class World {
  constructor({ server, cli, web, artifacts }) {
    this.serverBin = server;
    this.cliBin = cli;
    this.webDir = web;
    this.artifacts = artifacts;
    this.dir = mkdtempSync(join(tmpdir(), "casekeep-browser-"));
    this.log = [];
  }

  async startServer() {
    const child = spawn(this.serverBin, ["--data", join(this.dir, "server"), "--listen", "127.0.0.1:0", "--web", this.webDir],
      { stdio: ["ignore", "pipe", "pipe"] });
    this.server = child;
    child.stderr.on("data", (d) => this.log.push(String(d)));
    this.url = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`casekeep-server did not start: ${out}${this.log.join("")}`)), 15_000);
      child.stdout.on("data", (d) => {
        out += d;
        const found = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]);
        }
      });
      child.on("exit", (code) => reject(new Error(`casekeep-server exited with ${code}: ${this.log.join("")}`)));
    });
    return this.url;
  }

  /** The operator adds a user; returns their one-time enrolment code. */
  operatorAdd(name, role) {
    const out = execFileSync(this.serverBin, ["--data", join(this.dir, "server"), "user", "add", "--name", name, "--role", role],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.split("\n")[0].trim();
  }

  /** Runs the CLI as one of the test's people (each has a home under the temp dir). */
  cli(who, ...args) {
    try {
      return execFileSync(this.cliBin, ["--home", join(this.dir, who), ...args], {
        encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000,
        env: { ...process.env, CASEKEEP_PASSPHRASE: "cli e2e passphrase" },
      }).trim();
    } catch (err) {
      throw new Error(`casekeep ${args.join(" ")} (as ${who}) failed: ${err.stderr || err.message}`);
    }
  }

  cliJson(who, ...args) {
    return JSON.parse(this.cli(who, "--json", ...args));
  }

  async launchBrowser() {
    const profile = join(this.dir, "profile");
    mkdirSync(profile, { recursive: true });
    this.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: PORTRAIT, hasTouch: true, locale: "en-GB",
      serviceWorkers: "allow",
    });
    this.context.setDefaultTimeout(30_000);
    this.page = this.context.pages()[0] || (await this.context.newPage());
    this.page.on("console", (m) => this.log.push(`[console.${m.type()}] ${m.text()}\n`));
    this.page.on("pageerror", (e) => this.log.push(`[pageerror] ${e.message}\n`));
    return this.page;
  }

  /** On failure: a screenshot and the browser's and server's log, for the artifact dir. */
  async keepEvidence(name) {
    if (this.page) await this.page.screenshot({ path: join(this.artifacts, `${name}-failure.png`), fullPage: true }).catch(() => {});
    console.log(`---- log of ${name} ----\n${this.log.join("").slice(-6000)}----`);
  }

  async close() {
    if (this.context) await this.context.close().catch(() => {});
    if (this.server && this.server.exitCode === null) {
      this.server.kill("SIGTERM");
      await new Promise((r) => this.server.once("exit", r));
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
