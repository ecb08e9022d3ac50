// Moves the first widget slider of a book page in headless Chromium and reports what the
// page displayed before and after, as JSON on stdout (tests/test_browser.py judges it).
//
//   node slider.js URL USER_DATA_DIR SCREENSHOT_DIR
//
// Only 127.0.0.1 is reachable: every other request is aborted and listed in "blocked".
// Exit status 0 whenever a report was written; the report says whether the widget rendered.
"use strict";

const crypto = require("crypto");
const path = require("path");
const { launch, runMain, watchedPage } = require("./launch.js");

const RENDER_TIMEOUT_MS = 30000;
const CHANGE_TIMEOUT_MS = 15000;

async function shown(page, shotPath) {
  // The Stack shows only its selected child; the figure is the visible widget image.
  const image = page.locator("img.widget-image:visible").first();
  const shot = await image.screenshot({ path: shotPath });
  return {
    src: await image.getAttribute("src"),
    sha256: crypto.createHash("sha256").update(shot).digest("hex"),
    readout: (await page.locator(".widget-readout").first().innerText()).trim(),
  };
}

async function main() {
  const [url, userDataDir, shotDir] = process.argv.slice(2);
  const { context, report } = await launch(userDataDir);
  report.url = url;
  report.rendered = false;
  try {
    const page = await watchedPage(context, report);
    await page.goto(url, { waitUntil: "load" });
    const handle = page.locator(".widget-slider .noUi-handle").first();
    try {
      await page.locator("img.widget-image:visible").first()
        .waitFor({ state: "visible", timeout: RENDER_TIMEOUT_MS });
      await handle.waitFor({ state: "visible", timeout: RENDER_TIMEOUT_MS });
    } catch (err) {
      report.render_error = String(err).split("\n")[0];
      await page.screenshot({ path: path.join(shotDir, "page.png"), fullPage: true });
      return report;
    }
    report.rendered = true;
    await handle.scrollIntoViewIfNeeded();
    report.before = await shown(page, path.join(shotDir, "before.png"));

    // Keyboard, as a reader would: focus the slider handle, one step right.
    await handle.focus();
    await page.keyboard.press("ArrowRight");
    const deadline = Date.now() + CHANGE_TIMEOUT_MS;
    do {
      await page.waitForTimeout(200);
      report.after = await shown(page, path.join(shotDir, "after.png"));
    } while (report.after.sha256 === report.before.sha256 && Date.now() < deadline);
    return report;
  } finally {
    await context.close();
  }
}

runMain("slider.js", main);
