// Issue 5, browser test 3: the practitioner's side on the tablet. The author
// (native CLI) writes and signs two notes; the practitioner, enrolled in the
// browser, sees only the interview, agrees with one note and disputes the
// other; the author's CLI then shows both answers.
import { expect, waitUntil } from "./harness.mjs";
import * as ui from "./app.mjs";

const COMMENT = "The referral was made the same day.";

export async function practitioner(world, checks) {
  const check = checks.check.bind(checks);
  const url = await world.startServer();
  world.cli("author", "enroll", "--server", url, "--code", world.operatorAdd("Alex Author", "imr_author"), "--name", "Alex Author");
  const page = await world.launchBrowser();
  const code = world.operatorAdd("Pat Practitioner", "practitioner");

  await check("practitioner: a wrong code is refused with a readable error; the vault stays and only a code is asked again", async () => {
    await ui.enrol(page, url, { code: "0".repeat(code.length), name: "Pat Practitioner" });
    await page.getByTestId("enrol-submit").click();
    const error = await page.getByTestId("error").textContent();
    expect(error.includes("enrolment code") && error.endsWith("(refused)"), `error shown: '${error}'`);
    await waitUntil("the form for this device only", async () => (await page.getByTestId("enrol-name").count()) === 0);
    expect((await page.getByTestId("error").count()) === 1, "the error stays on screen");
    await page.getByTestId("enrol-code").fill(code);
    await ui.submitEnrol(page);
  });

  const caseId = world.cli("author", "case", "create", "--kind", "imr", "--ref", "IMR-2024-09", "--title", "Case the practitioner must not see");
  const interview = world.cli("author", "interview", "create", "--case", caseId, "--practitioner", "Pat Practitioner", "--where", "School nurse's office");
  world.cli("author", "member", "add", "--space", interview, "--user", "Pat Practitioner", "--role", "practitioner");
  const agreeId = world.cli("author", "note", "add", "--interview", interview, "--title", "Home visit", "--body", "Saw the child at home.");
  const disputeId = world.cli("author", "note", "add", "--interview", interview, "--title", "Referral", "--body", "Referral made the next day.");
  world.cli("author", "note", "sign", agreeId);
  world.cli("author", "note", "sign", disputeId);
  world.cli("author", "sync");

  await check("practitioner: after a sync the tablet lists the shared interview, not the case, and offers no writing", async () => {
    await ui.sync(page);
    await page.getByTestId("shared-interviews").getByTestId("interview-item").waitFor();
    expect((await page.getByTestId("case-item").count()) === 0, "the practitioner sees a case");
    await page.getByTestId("interview-item").click();
    await page.getByTestId("note-item").nth(1).waitFor();
    expect((await page.getByTestId("note-form").count()) === 0, "a practitioner is offered to write notes");
    expect((await page.getByTestId("member-form").count()) === 0, "a practitioner is offered to add members");
  });
  await check("practitioner: agrees with one signed note on the tablet", async () => {
    await ui.show(page, `#/note/${agreeId}`);
    expect((await page.getByTestId("note-sign").count()) === 0, "a practitioner is offered Sign");
    await page.getByTestId("note-agree").click();
    await waitUntil("the note agreed", async () => (await ui.noteStatus(page)) === "agreed");
  });
  await check("practitioner: disputes the other with a comment", async () => {
    await ui.show(page, `#/note/${disputeId}`);
    await page.getByTestId("dispute-comment").fill(COMMENT);
    await page.getByTestId("note-dispute").click();
    await waitUntil("the note disputed", async () => (await ui.noteStatus(page)) === "disputed");
    expect((await page.getByTestId("signature-comment").textContent()) === COMMENT, "the comment is shown");
    expect((await page.getByTestId("note-agree").count()) === 0, "agree is still offered after disputing");
  });
  await check("practitioner: after syncs the author's CLI shows one note agreed and one disputed, with the comment", async () => {
    await ui.sync(page);
    world.cli("author", "sync");
    const agreed = world.cliJson("author", "note", "show", agreeId);
    const disputed = world.cliJson("author", "note", "show", disputeId);
    expect(agreed.status === "agreed", `note 1 is ${agreed.status}`);
    expect(disputed.status === "disputed", `note 2 is ${disputed.status}`);
    expect(disputed.signatures[1].comment === COMMENT && disputed.signatures[1].valid, "the dispute's comment and validity");
    world.cli("author", "verify");
  });
}
