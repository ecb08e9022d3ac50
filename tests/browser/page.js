// Drives the book's "In your browser" page in headless Chromium through its test hook,
// window.streamnetsDemo, and reports what it did as JSON on stdout.
//
//   node page.js PLAN.json
//
// PLAN: {url, profile, shots, args: [extra chromium flags], files: {"/_test/x": "/abs/path"},
//        tasks: [{kind, ...}]}; the files are served at those paths of the page's origin.
// Tasks, run in order on one page load:
//   {kind: "frames", file, count}   logits of runFrames on the file's frames, the page's counters
//   {kind: "camera", count}         frames grabbed from the (fake) webcam and their logits
//   {kind: "folder", dir}           pick a folder in the page's folder picker; the status shown
//   {kind: "play", seconds, shot}   play the selected source, then a screenshot and the status
"use strict";

const fs = require("fs");
const path = require("path");
const { launch, runMain, watchedPage } = require("./launch.js");

const READY_TIMEOUT_MS = 60000;

const TASKS = {
  async frames(page, task) {
    return page.evaluate(async ({ file, count }) => {
      const demo = window.streamnetsDemo;
      const data = new Uint8Array(await (await fetch(file)).arrayBuffer());
      const before = demo.counters;
      const logits = await demo.runFrames(data, count);
      const after = demo.counters;
      return { logits: Array.from(logits), frames: after.frames - before.frames,
        ms: after.ms - before.ms, threads: demo.threads };
    }, task);
  },

  async camera(page, task, plan) {
    const result = await page.evaluate(async ({ count }) => {
      const { frames, logits } = await window.streamnetsDemo.runCamera(count);
      let binary = "";
      for (let i = 0; i < frames.length; i += 0x8000) {
        binary += String.fromCharCode(...frames.subarray(i, i + 0x8000));
      }
      return { frames: btoa(binary), logits: Array.from(logits) };
    }, task);
    const file = path.join(plan.shots, "camera.u8");
    fs.writeFileSync(file, Buffer.from(result.frames, "base64"));
    return { frames_file: file, logits: result.logits };
  },

  async folder(page, task) {
    const before = await page.locator("#sn-model").innerText();
    await page.locator("#sn-folder").setInputFiles(task.dir);
    await page.waitForFunction(() => !/Checking/.test(
      document.getElementById("sn-status").textContent), null, { timeout: 30000 });
    return {
      status: await page.locator("#sn-status").innerText(),
      error_shown: await page.locator("#sn-status.sn-error").count() > 0,
      model_before: before,
      model_after: await page.locator("#sn-model").innerText(),
    };
  },

  async play(page, task, plan) {
    if (task.source) await page.selectOption("#sn-source", task.source);
    await page.click("#sn-play");
    await page.waitForTimeout(1000 * task.seconds);
    const shot = path.join(plan.shots, task.shot || "play.png");
    await page.locator("#streamnets-demo").screenshot({ path: shot });
    return {
      screenshot: shot,
      status: await page.locator("#sn-status").innerText(),
      info: await page.locator("#sn-info").innerText(),
    };
  },
};

async function main() {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const { context, report } = await launch(plan.profile, { args: plan.args || [] });
  report.url = plan.url;
  report.results = [];
  try {
    for (const [route, file] of Object.entries(plan.files || {})) {
      await context.route(`**${route}`, (r) => r.fulfill({ path: file }));
    }
    const page = await watchedPage(context, report);
    await page.goto(plan.url, { waitUntil: "load" });
    try {
      await page.waitForFunction(() => window.streamnetsDemo, null, { timeout: READY_TIMEOUT_MS });
      await page.evaluate(() => window.streamnetsDemo.ready);
      report.class_names = await page.evaluate(() => window.streamnetsDemo.classNames);
      report.cross_origin_isolated = await page.evaluate(() => window.crossOriginIsolated);
    } catch (err) {
      report.ready_error = String(err).split("\n")[0];
      report.status = await page.locator("#sn-status").innerText().catch(() => null);
      await page.screenshot({ path: path.join(plan.shots, "page.png"), fullPage: true });
      return report;
    }
    for (const task of plan.tasks) {
      report.results.push({ kind: task.kind, ...(await TASKS[task.kind](page, task, plan)) });
    }
    report.status = await page.locator("#sn-status").innerText();
    return report;
  } finally {
    await context.close();
  }
}

runMain("page.js", main);
