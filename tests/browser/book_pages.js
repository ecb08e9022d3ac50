// Opens pages of the built book one after the other in one headless Chromium, as a reader
// would, and reports per page what the reader sees, as JSON on stdout
// (tests/test_book_browser.py judges it).
//
//   node book_pages.js PLAN.json
//
// PLAN: {base, pages: ["index.html", "notebooks/01_convolutions.html", ...], profile, shots}.
// Per page (after a redirect, the page redirected to): once loaded, MathJax 3 has finished
// typesetting (MathJax.startup.promise) and every image has been asked to load (lazy ones
// too); then the report counts the mjx-container elements, lists visible text that still
// holds a raw TeX delimiter (\[, \(, $$; code, pre and typeset math are not reader text
// for this), the images that failed to load (naturalWidth 0), the console's errors and
// the uncaught page errors, and writes a full-page screenshot (down to MAX_SHOT_PX) to
// SHOTS/<page path, / as __>.png.
// Only 127.0.0.1 is reachable (launch.js): anything else is aborted and listed in "blocked".
"use strict";

const fs = require("fs");
const path = require("path");
const { launch, runMain } = require("./launch.js");

const LOAD_TIMEOUT_MS = 60000;
const MATHJAX_TIMEOUT_MS = 60000;
const IMAGE_TIMEOUT_MS = 20000;
// Full-page screenshots stop this far down (a chapter is 10 000 to 20 000 px tall).
const MAX_SHOT_PX = 30000;
// Widgets render after require.js and the widget manager load; give them this long.
const SETTLE_MS = 500;

/** Waits for MathJax 3's startup (its first typesetting pass included); "none" without it. */
async function mathjaxDone(page) {
  return page.evaluate(async (timeout) => {
    const deadline = Date.now() + timeout;
    // MathJax is loaded with defer: window.MathJax is its configuration object until the
    // script has run, and MathJax itself (with startup.promise) afterwards.
    while (Date.now() < deadline) {
      const mj = window.MathJax;
      if (mj === undefined && !document.querySelector("script[src*='mathjax']")) return "none";
      if (mj && mj.startup && mj.startup.promise) {
        await mj.startup.promise;
        return mj.version || "unknown";
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return "timeout";
  }, MATHJAX_TIMEOUT_MS);
}

/** Makes every image load now (lazy ones included) and waits for them, up to a limit. */
async function loadImages(page) {
  await page.evaluate(async (timeout) => {
    const images = Array.from(document.images);
    for (const img of images) img.loading = "eager";
    const settled = images.map((img) => (img.complete ? Promise.resolve()
      : new Promise((resolve) => {
        img.addEventListener("load", resolve, { once: true });
        img.addEventListener("error", resolve, { once: true });
      })));
    await Promise.race([Promise.all(settled),
      new Promise((resolve) => setTimeout(resolve, timeout))]);
  }, IMAGE_TIMEOUT_MS);
}

/** What the page shows: typeset math, raw TeX left in the reader's text, broken images. */
async function inspect(page) {
  return page.evaluate(() => {
    const SKIP = new Set(["SCRIPT", "STYLE", "PRE", "CODE", "TEXTAREA", "NOSCRIPT",
      "MJX-CONTAINER", "MJX-ASSISTIVE-MML"]);
    const RAW = /\\\[|\\\(|\$\$/;
    const root = document.querySelector("main") || document.body;
    const raw = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      if (!RAW.test(text)) continue;
      let skipped = false;
      for (let el = node.parentElement; el && el !== root.parentElement; el = el.parentElement) {
        if (SKIP.has(el.tagName) || el.classList.contains("highlight")) { skipped = true; break; }
      }
      const parent = node.parentElement;
      if (skipped || !parent || parent.getClientRects().length === 0) continue;  // not shown
      const at = text.search(RAW);
      raw.push(text.slice(Math.max(0, at - 60), at + 60).replace(/\s+/g, " "));
    }
    const images = Array.from(document.images);
    return {
      title: document.title,
      final_url: location.href,
      mjx_containers: document.querySelectorAll("mjx-container").length,
      math_elements: document.querySelectorAll(".math").length,
      raw_tex: raw,
      images: images.length,
      broken_images: images.filter((img) => img.naturalWidth === 0)
        .map((img) => img.currentSrc || img.src || img.outerHTML.slice(0, 120)),
      height: document.documentElement.scrollHeight,
    };
  });
}

async function visit(context, report, base, name, shots) {
  const result = { page: name, console_errors: [], page_errors: [], failed: [] };
  const blockedBefore = report.blocked.length;
  const started = Date.now();
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") result.console_errors.push(msg.text());
  });
  page.on("pageerror", (err) => result.page_errors.push(String(err)));
  page.on("requestfailed", (req) => result.failed.push(req.url()));
  page.on("response", (res) => {
    if (res.status() >= 400) result.failed.push(`${res.status()} ${res.url()}`);
  });
  try {
    await page.goto(`${base}/${name}`, { waitUntil: "load", timeout: LOAD_TIMEOUT_MS });
    // The landing page index.html redirects (meta refresh) to the book's first page: the
    // page in hand is the one that stays.
    for (let attempt = 1; ; attempt++) {
      try {
        result.mathjax = await mathjaxDone(page);
        await loadImages(page);
        await page.waitForTimeout(SETTLE_MS);
        Object.assign(result, await inspect(page));
        break;
      } catch (err) {
        if (attempt === 3 || !/context was destroyed|navigat/i.test(String(err))) throw err;
        await page.waitForLoadState("load", { timeout: LOAD_TIMEOUT_MS });
      }
    }
    result.screenshot = path.join(shots, `${name.replace(/\//g, "__").replace(/\.html$/, "")}.png`);
    // The API page is some 250 000 px tall: its screenshot stops at MAX_SHOT_PX.
    const { width } = page.viewportSize();
    result.screenshot_clipped = result.height > MAX_SHOT_PX;
    await page.screenshot({ path: result.screenshot, fullPage: true,
      clip: result.screenshot_clipped ? { x: 0, y: 0, width, height: MAX_SHOT_PX } : undefined });
  } catch (err) {
    result.error = String(err).split("\n")[0];
  } finally {
    await page.close();
  }
  result.blocked = report.blocked.slice(blockedBefore);
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

async function main() {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  fs.mkdirSync(plan.shots, { recursive: true });
  const { context, report } = await launch(plan.profile);
  report.pages = [];
  try {
    for (const name of plan.pages) {
      report.pages.push(await visit(context, report, plan.base, name, plan.shots));
    }
  } finally {
    await context.close();
  }
  return report;
}

runMain("book_pages.js", main);
