// Issue 5, browser test 4: the tablet locks itself after the configured
// minutes without a touch (5 by default, changed in Settings), with the
// page's clock run forward by Playwright instead of waiting.
import { expect } from "./harness.mjs";
import * as ui from "./app.mjs";

export async function idleLock(world, checks) {
  const check = checks.check.bind(checks);
  const url = await world.startServer();
  const page = await world.launchBrowser();
  await page.clock.install();
  await ui.enrol(page, url, { code: world.operatorAdd("Alex Author", "imr_author"), name: "Alex Author" });
  await ui.submitEnrol(page);
  const locked = () => page.getByTestId("unlock-form").count().then((n) => n === 1);

  await check("idle lock: still unlocked after 4 minutes without use", async () => {
    await page.clock.fastForward("04:00");
    expect(!(await locked()), "locked too early");
  });
  await check("idle lock: a touch restarts the count; locked 5 minutes after the last one", async () => {
    await page.getByTestId("nav-cases").click();
    await page.clock.fastForward("04:00");
    expect(!(await locked()), "locked although touched 4 minutes ago");
    await page.clock.fastForward("01:05");
    await page.getByTestId("unlock-form").waitFor();
    expect(!(await ui.vault(page, "ck.status().unlocked")), "the vault is still unlocked");
  });
  await check("idle lock: Settings shortens it to 1 minute", async () => {
    await ui.unlock(page);
    await page.getByTestId("nav-settings").click();
    expect((await page.getByTestId("lock-minutes").inputValue()) === "5", "the default is 5 minutes");
    await page.getByTestId("lock-minutes").fill("1");
    await page.getByTestId("lock-minutes-save").click();
    await page.clock.fastForward("01:05");
    await page.getByTestId("unlock-form").waitFor();
  });
}
