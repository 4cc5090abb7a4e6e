// Issue 5, browser test 1: the author works on the tablet, offline for the
// note; the practitioner agrees with the native CLI; the tablet shows the
// agreement; its IndexedDB holds none of the note's text.
import { join, relative } from "node:path";
import { readFileSync, readdirSync } from "node:fs";
import { expect, waitUntil, PASSPHRASE } from "./harness.mjs";
import * as ui from "./app.mjs";
import { scanPageIndexedDb } from "./idb-scan.mjs";

const NOTE_TITLE = "Home visit on 3 March";
const SENTENCES = [
  "Saw the child at home on 3 March with the health visitor.",
  "The child was playing with a purple giraffe in the hallway.",
  "Mother said the referral letter never arrived.",
];
const NOTE_BODY = SENTENCES.join(" ");

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

export async function walkthrough(world, checks) {
  const check = checks.check.bind(checks);
  const url = await world.startServer();
  const authorCode = world.operatorAdd("Alex Author", "imr_author");
  const practCode = world.operatorAdd("Pat Practitioner", "practitioner");
  world.cli("pract", "enroll", "--server", url, "--code", practCode, "--name", "Pat Practitioner");
  const page = await world.launchBrowser();

  await check("the app loads from casekeep-server and offers enrolment (server defaults to its origin)", async () => {
    await ui.enrol(page, url, { code: authorCode, name: "Alex Author" });
    await ui.guideShot(page, "tablet-enrol");
  });
  await check("the author enrols in the browser with a one-time code", async () => {
    await ui.submitEnrol(page);
    const me = await ui.vault(page, "ck.identity().name");
    expect(me === "Alex Author", `identity is '${me}'`);
  });
  await check("the service worker caches the app shell and controls the page", () => ui.waitOfflineReady(page));
  await check("Chromium finds the app installable (manifest, icons, service worker)", async () => {
    const cdp = await world.context.newCDPSession(page);
    const manifest = await cdp.send("Page.getAppManifest");
    expect(manifest.errors.length === 0, `manifest errors: ${JSON.stringify(manifest.errors)}`);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors.length === 0, `installability errors: ${JSON.stringify(installabilityErrors)}`);
    await cdp.detach();
  });
  await check("the service worker's shell lists every file of the web root", () => {
    const sw = readFileSync(join(world.webDir, "sw.js"), "utf8");
    const files = filesUnder(world.webDir).map((f) => `/${relative(world.webDir, f)}`)
      .filter((f) => !["/sw.js", "/casekeep.d.ts"].includes(f));
    const missing = files.filter((f) => !sw.includes(`"${f}"`));
    expect(files.length > 10 && missing.length === 0, `not cached for offline use: ${missing.join(", ")}`);
  });

  let caseId, interviewId, noteId, draftId;
  await check("creates a case and an interview", async () => {
    caseId = await ui.createCase(page, { kind: "imr", reference: "IMR-2024-07", title: "Health visiting for Child A" });
    interviewId = await ui.createInterview(page, { practitioner: "Pat Practitioner", when: "2024-03-05T10:00", where: "Clinic room 2" });
    expect(/^[0-9a-f]{32}$/.test(interviewId), `interview id '${interviewId}'`);
  });
  await check("adds the practitioner from the server's directory as a member of the interview", async () => {
    await ui.addMember(page, "Pat Practitioner", "practitioner");
    const roles = await ui.vault(page, `ck.members(${JSON.stringify(interviewId)}).map((m) => m.fields.role)`);
    expect(roles.includes("practitioner"), `member roles: ${roles}`);
  });
  await check("the sync bar shows offline when the network goes", async () => {
    await world.context.setOffline(true);
    await waitUntil("the sync bar to show Offline", async () => (await page.getByTestId("net-state").textContent()) === "Offline");
  });
  await check("offline: writes a note and signs it", async () => {
    noteId = await ui.writeNote(page, NOTE_TITLE, NOTE_BODY);
    expect((await ui.noteStatus(page)) === "draft", "a new note is a draft");
    await page.getByTestId("note-sign").click();
    await waitUntil("the note to show signed", async () => (await ui.noteStatus(page)) === "signed");
    const signer = await page.getByTestId("signature-signer").textContent();
    expect(signer === "Alex Author", `signed by '${signer}'`);
  });
  await check("offline: a second note stays a draft and is edited; the bar counts unsynced changes", async () => {
    await page.getByTestId("back-to-interview").click();
    draftId = await ui.writeNote(page, "Referral", "Referral to be confirmed.");
    await page.getByTestId("note-edit-open").click();
    await page.getByTestId("note-edit-body").fill("Referral to be confirmed with the GP surgery.");
    await page.getByTestId("note-edit-save").click();
    await waitUntil("the edited draft", async () => (await page.getByTestId("note-content").textContent()) === "Referral to be confirmed with the GP surgery.");
    await page.getByTestId("back-to-interview").click();
    await page.getByTestId("note-item").nth(1).waitFor();
    const count = await ui.unsynced(page);
    expect(count >= 3, `unsynced count ${count}`);
    await ui.guideShot(page, "tablet-interview");
    await ui.guideShot(page, "tablet-offline-sync-bar", { landscape: true });
  });
  await check("offline: reloading loads the app from the service worker and asks to unlock", async () => {
    await ui.show(page, `#/note/${noteId}`);
    await page.getByTestId("note-view").waitFor();
    await page.reload();
    await page.getByTestId("unlock-form").waitFor();
    expect((await page.getByTestId("net-state").textContent()) === "Offline", "still offline");
  });
  await check("a wrong passphrase is refused with a readable error and the vault stays locked", async () => {
    await ui.unlock(page, "not the passphrase");
    const error = await page.getByTestId("error").textContent();
    expect(error.includes("wrong_passphrase"), `error shown: '${error}'`);
    expect(!(await ui.vault(page, "ck.status().unlocked")), "still locked");
  });
  await check("offline, after reload: unlocks and the signed note is still there", async () => {
    await ui.unlock(page);
    await page.getByTestId("note-view").waitFor();
    expect((await page.getByTestId("note-content").textContent()) === NOTE_BODY, "the note's text");
    expect((await ui.noteStatus(page)) === "signed", "status signed");
  });
  await check("back online: syncs by itself, and again with the Sync button; nothing is left unsynced", async () => {
    const syncs = Number(await page.getByTestId("sync-bar").getAttribute("data-syncs"));
    await world.context.setOffline(false);
    await waitUntil("the sync bar to show Online", async () => (await page.getByTestId("net-state").textContent()) === "Online");
    await waitUntil("a sync on reconnecting", async () => Number(await page.getByTestId("sync-bar").getAttribute("data-syncs")) > syncs);
    await waitUntil("no unsynced changes after the automatic sync", async () => (await ui.unsynced(page)) === 0);
    await ui.sync(page);
    const lastSync = await page.getByTestId("last-sync").textContent();
    expect(lastSync !== "never", "last sync shown");
  });
  await check("the practitioner (native CLI) syncs, sees the signed note and agrees", () => {
    world.cli("pract", "sync");
    const shown = world.cliJson("pract", "note", "show", noteId);
    expect(shown.status === "signed", `the practitioner sees status ${shown.status}`);
    world.cli("pract", "note", "agree", noteId);
    world.cli("pract", "sync");
  });
  await check("the browser syncs and shows the note agreed with both signatures, valid and current", async () => {
    await page.getByTestId("note-view").waitFor();
    await ui.sync(page);
    await waitUntil("the note to show agreed", async () => (await ui.noteStatus(page)) === "agreed");
    const signatures = page.getByTestId("signature");
    expect((await signatures.count()) === 2, `${await signatures.count()} signatures`);
    const signers = await page.getByTestId("signature-signer").allTextContents();
    expect(signers.join("|") === "Alex Author|Pat Practitioner", `signers: ${signers}`);
    const kinds = await signatures.evaluateAll((els) => els.map((e) => e.dataset.kind));
    expect(kinds.join("|") === "signed|agreed", `kinds: ${kinds}`);
    const valid = await page.getByTestId("signature-valid").allTextContents();
    expect(valid.every((v) => v === "valid"), `validity: ${valid}`);
    const current = await page.getByTestId("signature-current").allTextContents();
    expect(current.every((v) => v === "this version"), `currency: ${current}`);
  });
  await check("a screenshot of the note view is saved as an artifact", async () => {
    await page.screenshot({ path: join(world.artifacts, "note-view.png"), fullPage: true });
    await ui.guideShot(page, "tablet-note-agreed");
  });
  await check("an addendum to the agreed note is a new draft note that points to it", async () => {
    await page.getByTestId("addendum-open").click();
    await page.getByTestId("addendum-body").fill("The visit lasted an hour.");
    await page.getByTestId("addendum-save").click();
    await waitUntil("the addendum's page", async () => (await page.getByTestId("note-content").textContent()) === "The visit lasted an hour.");
    expect((await ui.noteStatus(page)) === "draft", "an addendum starts as a draft");
    await page.getByTestId("note-sign").click();
    await waitUntil("the addendum signed", async () => (await ui.noteStatus(page)) === "signed");
    await ui.show(page, `#/note/${noteId}`);
    await page.getByTestId("addenda").getByText("Addendum").waitFor();
    expect((await ui.noteStatus(page)) === "agreed", "the agreed note is unchanged");
  });
  await check("the browser's IndexedDB holds no sentence of the note, nor the case title or place (and the scan does see the vault)", async () => {
    const secrets = [...SENTENCES, NOTE_TITLE, "purple giraffe", "Health visiting for Child A", "Clinic room 2", "The visit lasted an hour."];
    const scan = await scanPageIndexedDb(page, [...secrets, "SQLite format 3"]);
    const control = scan.found["SQLite format 3"];
    expect(control.length > 0, `positive control: no SQLite header in ${scan.records} records of ${scan.databases}`);
    for (const needle of secrets)
      expect(scan.found[needle].length === 0, `'${needle}' found in ${scan.found[needle]}`);
    console.log(`     scanned ${scan.databases.length} database(s), ${scan.stores} store(s), ${scan.records} records, ${scan.bytes} bytes; SQLite header in ${control[0]}`);
  });
  await check("the cases page lists the case; locking on demand hides everything until unlocked", async () => {
    await page.getByTestId("nav-cases").click();
    await page.getByTestId("case-item").first().waitFor();
    await ui.guideShot(page, "tablet-cases", { landscape: true });
    await page.getByTestId("lock-button").click();
    await page.getByTestId("unlock-form").waitFor();
    const shown = await page.locator("body").innerText();
    expect(!shown.includes("Health visiting for Child A"), "the case title is still shown while locked");
    await ui.unlock(page);
    await page.getByTestId("case-item").first().waitFor();
  });
  await check("the vault verifies in the browser and on the practitioner's CLI", async () => {
    const problems = await ui.vault(page, "ck.verify()");
    expect(problems.length === 0, `browser verify: ${JSON.stringify(problems)}`);
    world.cli("pract", "verify");
  });
  return { caseId, draftId };
}
