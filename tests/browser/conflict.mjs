// Issue 5, browser test 2: the tablet and a colleague's CLI change the same
// field while apart; after both sync the tablet shows both values side by
// side, keeps one, and after syncing both sides show one value and no conflict.
import { expect, waitUntil } from "./harness.mjs";
import * as ui from "./app.mjs";

const TABLET_TITLE = "Health visiting for Child B (tablet)";
const CLI_TITLE = "Health visiting for Child B (Bea)";

export async function conflict(world, checks) {
  const check = checks.check.bind(checks);
  const url = await world.startServer();
  const alexCode = world.operatorAdd("Alex Author", "imr_author");
  world.cli("bea", "enroll", "--server", url, "--code", world.operatorAdd("Bea Reviewer", "lead_reviewer"), "--name", "Bea Reviewer");
  const page = await world.launchBrowser();
  await ui.enrol(page, url, { code: alexCode, name: "Alex Author" });
  await ui.submitEnrol(page);

  let caseId;
  await check("conflict: the tablet makes a case, adds the CLI user as lead reviewer, both sync", async () => {
    caseId = await ui.createCase(page, { kind: "scr", reference: "SCR-2024-02", title: "Health visiting for Child B" });
    await ui.addMember(page, "Bea Reviewer", "lead_reviewer");
    await ui.sync(page);
    world.cli("bea", "sync");
    const shown = world.cliJson("bea", "case", "show", caseId);
    expect(shown.case.fields.title === "Health visiting for Child B", "Bea sees the case");
  });
  await check("conflict: both change the title while apart (the tablet offline)", async () => {
    await world.context.setOffline(true);
    await page.getByTestId("edit-field-open").click();
    await page.getByTestId("edit-field-name").selectOption("title");
    await page.getByTestId("edit-field-value").fill(TABLET_TITLE);
    await page.getByTestId("edit-field-save").click();
    await waitUntil("the new title", async () => (await page.getByTestId("field-title").textContent()) === TABLET_TITLE);
    world.cli("bea", "edit", caseId, "--field", "title", "--value", CLI_TITLE);
    await world.context.setOffline(false);
  });
  await check("conflict: after both sync twice, the tablet shows the conflict with both values side by side", async () => {
    for (let i = 0; i < 2; i += 1) {
      await ui.sync(page);
      world.cli("bea", "sync");
    }
    await ui.sync(page);
    await waitUntil("the conflict count in the menu", async () => (await page.getByTestId("conflict-count").textContent()) === "1");
    await page.getByTestId("nav-conflicts").click();
    await page.getByTestId("conflict").first().waitFor();
    expect((await page.getByTestId("conflict").count()) === 1, "one conflict");
    expect((await page.getByTestId("conflict-field").textContent()) === "title", "on the title");
    const values = await page.getByTestId("head-value").allTextContents();
    expect(values.length === 2 && values.includes(TABLET_TITLE) && values.includes(CLI_TITLE), `heads: ${values}`);
    const authors = (await page.getByTestId("head-author").allTextContents()).join(" | ");
    expect(authors.includes("Alex Author") && authors.includes("Bea Reviewer"), `authors: ${authors}`);
    await ui.guideShot(page, "tablet-conflict", { landscape: true });
  });
  await check("conflict: the CLI sees the same conflict", () => {
    const conflicts = world.cliJson("bea", "conflicts");
    expect(conflicts.length === 1 && conflicts[0].heads.length === 2, `CLI conflicts: ${JSON.stringify(conflicts)}`);
  });
  await check("conflict: keeping the colleague's value on the tablet resolves it there", async () => {
    await page.getByTestId("head").filter({ hasText: CLI_TITLE }).getByTestId("keep-head").click();
    await page.getByTestId("no-conflicts").waitFor();
    expect((await ui.vault(page, "ck.conflicts().length")) === 0, "browser conflicts() is empty");
  });
  await check("conflict: after both sync, both show the same title and no open conflict", async () => {
    await ui.sync(page);
    world.cli("bea", "sync");
    await ui.sync(page);
    const cliConflicts = world.cliJson("bea", "conflicts");
    expect(cliConflicts.length === 0, `CLI conflicts: ${JSON.stringify(cliConflicts)}`);
    const cliTitle = world.cliJson("bea", "case", "show", caseId).case.fields.title;
    expect(cliTitle === CLI_TITLE, `CLI title '${cliTitle}'`);
    expect((await ui.vault(page, "ck.conflicts().length")) === 0, "browser conflicts() is empty");
    const browserTitle = await ui.vault(page, `ck.get(${JSON.stringify(caseId)}).fields.title`);
    expect(browserTitle === CLI_TITLE, `browser title '${browserTitle}'`);
    await ui.show(page, `#/case/${caseId}`);
    await waitUntil("the case page's title", async () => (await page.getByTestId("field-title").textContent()) === CLI_TITLE);
  });
  await check("conflict: the history of the case shows every change", async () => {
    await page.getByTestId("history-link").click();
    await page.getByTestId("history-entry").first().waitFor();
    const rows = (await page.getByTestId("history-entry").allTextContents()).join("\n");
    expect(rows.includes(TABLET_TITLE) && rows.includes(CLI_TITLE), "both values in the history");
    expect(rows.includes("Bea Reviewer") && rows.includes("Alex Author"), "both authors in the history");
  });
}
