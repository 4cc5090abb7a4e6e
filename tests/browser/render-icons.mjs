// Renders the web app's SVG icon to the PNG sizes the manifest lists, with
// Debian's Chromium. Run by hand after changing wasm/web/icons/icon.svg:
//   node tests/browser/render-icons.mjs
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CHROMIUM, CHROMIUM_ARGS } from "./browser.mjs";

const icons = fileURLToPath(new URL("../../wasm/web/icons/", import.meta.url));
const svg = readFileSync(`${icons}icon.svg`, "utf8");
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
for (const size of [192, 512]) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<body style="margin:0">${svg.replace("<svg ", `<svg style="display:block;width:${size}px;height:${size}px" `)}</body>`);
  await page.screenshot({ path: `${icons}icon-${size}.png`, omitBackground: true });
  await page.close();
}
await browser.close();
