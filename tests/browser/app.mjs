// The web app's screens as the tests drive them, by their data-testid.
import { join } from "node:path";
import { expect, waitUntil, PASSPHRASE, PORTRAIT, LANDSCAPE } from "./harness.mjs";

export async function enrol(page, url, { code, name }) {
  await page.goto(url);
  await page.getByTestId("enrol-form").waitFor();
  const server = await page.getByTestId("enrol-server").inputValue();
  expect(server === url, `the server field defaults to ${url}, not '${server}'`);
  await page.getByTestId("enrol-code").fill(code);
  await page.getByTestId("enrol-name").fill(name);
  await page.getByTestId("enrol-passphrase").fill(PASSPHRASE);
  await page.getByTestId("enrol-passphrase2").fill(PASSPHRASE);
}

export async function submitEnrol(page) {
  await page.getByTestId("enrol-submit").click();
  await page.getByTestId("case-form").waitFor();
}

/** Waits until the service worker controls the page (the shell is cached). */
export async function waitOfflineReady(page) {
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
  await waitUntil("the sync bar to say the app works offline",
    async () => (await page.getByTestId("offline-ready").textContent()) === "Works offline");
}

export async function createCase(page, { kind, reference, title }) {
  await page.getByTestId("nav-cases").click();
  await page.getByTestId("case-kind").selectOption(kind);
  await page.getByTestId("case-reference").fill(reference);
  await page.getByTestId("case-title").fill(title);
  await page.getByTestId("case-create").click();
  await page.getByTestId("case-view").waitFor();
  return page.url().split("#/case/")[1];
}

export async function createInterview(page, { practitioner, when, where }) {
  await page.getByTestId("interview-practitioner").fill(practitioner);
  if (when) await page.getByTestId("interview-when").fill(when);
  if (where) await page.getByTestId("interview-where").fill(where);
  await page.getByTestId("interview-create").click();
  await page.getByTestId("interview-view").waitFor();
  return page.url().split("#/interview/")[1];
}

export async function addMember(page, user, role) {
  await page.getByTestId("member-user").fill(user);
  await page.getByTestId("member-role").selectOption(role);
  await page.getByTestId("member-add").click();
  await page.getByTestId("member-item").filter({ hasText: user }).waitFor();
}

export async function writeNote(page, title, body) {
  await page.getByTestId("note-title").fill(title);
  await page.getByTestId("note-body").fill(body);
  await page.getByTestId("note-save").click();
  await page.getByTestId("note-view").waitFor();
  return page.url().split("#/note/")[1];
}

export function noteStatus(page) {
  return page.getByTestId("note-header").getByTestId("note-status").textContent();
}

export async function unsynced(page) {
  return Number(await page.getByTestId("unsynced-count").textContent());
}

/** Presses Sync and waits for that sync to finish with nothing left unsynced. */
export async function sync(page) {
  const bar = page.getByTestId("sync-bar");
  const button = page.getByTestId("sync-button");
  // An automatic sync (on reconnect) may be running: wait for it first.
  await waitUntil("the Sync button to be free", () => button.isEnabled());
  const before = Number(await bar.getAttribute("data-syncs"));
  await button.click();
  await waitUntil("the sync to finish", async () => Number(await bar.getAttribute("data-syncs")) > before);
  const text = await page.getByTestId("sync-result").textContent();
  expect(text.startsWith("Sent"), text);
  await waitUntil("no unsynced changes", async () => (await unsynced(page)) === 0);
}

/** Shows a view by its hash, as following a link does (no reload). */
export async function show(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.locator(`body[data-route="${hash}"]`).waitFor();
}

export async function unlock(page, passphrase = PASSPHRASE) {
  await page.getByTestId("unlock-passphrase").fill(passphrase);
  await page.getByTestId("unlock-submit").click();
}

/** The vault through the page's own module handle (only for checks, never to act). */
export function vault(page, expression) {
  return page.evaluate(`(() => { const ck = window.casekeepApp.ck; return ${expression}; })()`);
}

/** Saves a screenshot for the user guide when CASEKEEP_SCREENSHOTS names a directory. */
export async function guideShot(page, name, { landscape = false, fullPage = false } = {}) {
  const dir = process.env.CASEKEEP_SCREENSHOTS;
  if (!dir) return;
  if (landscape) await page.setViewportSize(LANDSCAPE);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage });
  if (landscape) await page.setViewportSize(PORTRAIT);
}
