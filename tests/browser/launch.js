// Starts headless Debian chromium for a test driver, offline: only 127.0.0.1 (and blob:,
// data:) is reachable; every other request is aborted and listed in report.blocked.
// Console lines, uncaught page errors and failed requests go to the report as well.
"use strict";

const { chromium } = require("playwright-core");

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Launches chromium with a fresh profile in userDataDir; returns {context, report}. */
async function launch(userDataDir, { args = [], viewport = { width: 1280, height: 1600 } } = {}) {
  const report = { console: [], errors: [], blocked: [], failed: [] };
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [...FLAGS, ...args],
    viewport,
  });
  await context.route("**/*", (route) => {
    const target = new URL(route.request().url());
    if (target.protocol === "blob:" || target.protocol === "data:" ||
        target.hostname === "127.0.0.1") {
      return route.continue();
    }
    report.blocked.push(route.request().url());
    return route.abort();
  });
  return { context, report };
}

/** Opens a page in `context` whose console, errors and failed requests go to `report`. */
async function watchedPage(context, report) {
  const page = await context.newPage();
  page.on("console", (msg) => report.console.push(`${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (err) => report.errors.push(String(err)));
  page.on("requestfailed", (req) => report.failed.push(req.url()));
  page.on("response", (res) => {
    if (res.status() >= 400) report.failed.push(`${res.status()} ${res.url()}`);
  });
  return page;
}

/** Runs main() and prints its report as JSON; exit status 2 if it threw. */
function runMain(name, main) {
  main()
    .then((report) => {
      process.stdout.write(JSON.stringify(report, null, 1) + "\n");
    })
    .catch((err) => {
      process.stderr.write(`${name}: ${err.stack || err}\n`);
      process.exit(2);
    });
}

module.exports = { launch, watchedPage, runMain };
