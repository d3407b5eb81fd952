// Loads mtosim's HTML reports in headless Chromium (puppeteer-core driving the system
// chromium) and checks what a reader sees: no console errors or page errors, the tenants,
// checks and a list entry for every step in the DOM, a filter that narrows the list, a slider
// that changes the topology, non-blank screenshots. With --bench, measures how long pages take
// to open instead (median of several loads). Usage (tests/browser/run.sh calls it):
//   node tests/browser/check.js [--bench] [--shots DIR] PAGE.html...
"use strict";
const path = require("path");
const fs = require("fs");
const puppeteer = require(path.resolve("target/browser/node_modules/puppeteer-core"));

const args = process.argv.slice(2);
const bench = args.includes("--bench");
const shotsAt = args.indexOf("--shots");
const shots = shotsAt >= 0 ? args[shotsAt + 1] : null;
const pages = args.filter((a, i) => a.endsWith(".html") && i !== shotsAt + 1);
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";

function fail(msg) { throw new Error(msg); }

// the standard deviation of a PNG's pixel values, decoded by the browser itself
async function variance(browser, png) {
  const p = await browser.newPage();
  const v = await p.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let s = 0, s2 = 0, n = 0;
    for (let i = 0; i < d.length; i += 16) { const y = (d[i] + d[i + 1] + d[i + 2]) / 3; s += y; s2 += y * y; n++; }
    return Math.sqrt(s2 / n - (s / n) * (s / n));
  }, png.toString("base64"));
  await p.close();
  return v;
}

async function open(browser, file, viewport) {
  const page = await browser.newPage();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push("console: " + m.text()); });
  page.on("pageerror", (e) => errors.push("page error: " + e.message));
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) errors.push("network request: " + r.url()); });
  await page.setViewport(viewport);
  const t0 = Date.now();
  await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
  await page.waitForFunction(() => document.body.getAttribute("data-ready"), { timeout: 30000 });
  const ms = Date.now() - t0;
  const ready = await page.evaluate(() => document.body.getAttribute("data-ready"));
  if (ready !== "true") errors.push("the page's script failed");
  return { page, errors, ms };
}

async function checkRun(page, name) {
  const facts = await page.evaluate(() => {
    const meta = JSON.parse(document.getElementById("d-meta").textContent);
    const rows = document.getElementById("d-rows").textContent.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const steps = rows.filter((r) => r[0] === "s").map((r) => r[2]);
    const checks = rows.filter((r) => r[0] === "k" || r[0] === "x" || r[0] === "f").length;
    return {
      tenants: meta.tenants.map((t) => t[0]),
      steps,
      checks,
      topoTenants: Array.from(document.querySelectorAll("#topo g.tenant")).map((g) => g.textContent),
      cards: document.querySelectorAll(".tenant-card").length,
      checkItems: document.querySelectorAll("#checks ul.checks li").length,
      stepItems: steps.filter((n) => document.querySelector('#evlist li[data-kind="step"][data-step="' + n + '"]')).length,
      lanes: document.querySelectorAll("#tl").length,
      listed: document.querySelectorAll("#evlist li").length,
      sourceLines: document.querySelectorAll("ol.source li").length,
    };
  });
  if (!facts.tenants.length) fail(name + ": no tenants in the data");
  for (const t of facts.tenants) {
    if (!facts.topoTenants.some((x) => x.includes(t))) fail(name + ": tenant " + t + " is not in the topology");
  }
  if (facts.cards !== facts.tenants.length) fail(name + ": " + facts.cards + " summary cards for " + facts.tenants.length + " tenants");
  if (facts.checks && facts.checkItems !== facts.checks) fail(name + ": " + facts.checkItems + " checks listed, " + facts.checks + " in the run");
  if (facts.stepItems !== facts.steps.length) fail(name + ": " + facts.stepItems + " of " + facts.steps.length + " steps in the event list");
  if (facts.lanes !== 1) fail(name + ": no timeline");
  if (!facts.sourceLines) fail(name + ": the scenario file is not shown");
  // a filter narrows the list
  await page.select("#f-kind", "step");
  const narrowed = await page.evaluate(() => ({
    n: document.querySelectorAll("#evlist li").length,
    other: document.querySelectorAll('#evlist li:not([data-kind="step"])').length,
  }));
  if (!(narrowed.n < facts.listed) || narrowed.n !== facts.steps.length || narrowed.other) {
    fail(name + ": the kind filter left " + narrowed.n + " of " + facts.listed + " entries (" + narrowed.other + " not steps)");
  }
  await page.select("#f-kind", "");
  // the slider changes the topology: some two moments differ
  const seen = await page.evaluate(() => {
    const s = document.getElementById("slider"), out = new Set();
    for (let v = 0; v <= +s.max; v++) {
      s.value = String(v);
      s.dispatchEvent(new Event("input", { bubbles: true }));
      out.add(document.getElementById("topo").innerHTML);
    }
    s.value = s.max; s.dispatchEvent(new Event("input", { bubbles: true }));
    return out.size;
  });
  if (seen < 2) fail(name + ": the topology is the same at every moment of the slider");
  // keyboard: Enter on a list entry shows its rules
  await page.focus("#evlist li");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const detail = await page.evaluate(() => document.getElementById("detail").textContent);
  if (!detail.includes("UTC")) fail(name + ": Enter on an entry shows no details");
  return facts;
}

async function checkWhatif(page, name, kind) {
  const n = await page.evaluate(() => document.querySelectorAll("main table tbody tr").length);
  if (!n) fail(name + ": no table rows");
  if (kind === "sweep") {
    const svg = await page.evaluate(() => document.querySelectorAll("figure.chart svg").length);
    if (svg !== 1) fail(name + ": the sweep's chart is missing");
  } else {
    const bars = await page.evaluate(() => document.querySelectorAll("#bars rect").length);
    if (!bars) fail(name + ": the accounts chart is missing");
    const before = await page.evaluate(() => document.querySelector("#pairs .stepinfo").textContent);
    await page.type("#pairs input[type=search]", "t1 ");
    const after = await page.evaluate(() => document.querySelector("#pairs .stepinfo").textContent);
    if (before === after && !before.includes("rows 1–")) fail(name + ": the pair filter did nothing");
  }
  return { rows: n };
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files"],
  });
  let failed = 0;
  try {
    for (const file of pages) {
      const name = path.basename(file);
      if (bench) {
        const times = [];
        for (let i = 0; i < 5; i++) {
          const { page, errors, ms } = await open(browser, file, { width: 1280, height: 800 });
          if (errors.length) fail(name + ": " + errors.join("; "));
          times.push(ms);
          await page.close();
        }
        times.sort((a, b) => a - b);
        console.log("bench " + name + " (" + fs.statSync(file).size + " bytes): opens in " + times[2] + " ms (median of 5; " + times.join(", ") + ")");
        continue;
      }
      try {
        for (const vp of [{ width: 1280, height: 800, tag: "desktop" }, { width: 390, height: 844, tag: "phone", isMobile: true }]) {
          const { page, errors, ms } = await open(browser, file, vp);
          const kind = await page.evaluate(() => document.body.getAttribute("data-page"));
          // the page as it opens (the whole page at desktop width), before any interaction
          const png = await page.screenshot({ fullPage: vp.tag === "desktop" });
          const facts = kind === "run" ? await checkRun(page, name) : await checkWhatif(page, name, kind);
          if (errors.length) fail(name + ": " + errors.join("; "));
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 2) fail(name + " (" + vp.tag + "): the page is " + overflow + " px wider than the window");
          const sd = await variance(browser, png);
          if (png.length < 5000 || sd < 5) fail(name + " (" + vp.tag + "): the screenshot looks blank (" + png.length + " bytes, deviation " + sd.toFixed(1) + ")");
          if (shots && vp.tag === "desktop") fs.writeFileSync(path.join(shots, name.replace(/\.html$/, ".png")), png);
          console.log("ok   " + name + " (" + vp.tag + ", drawn in " + ms + " ms, screenshot deviation " + sd.toFixed(1) + "): " + JSON.stringify(facts.steps ? { tenants: facts.tenants.length, steps: facts.steps.length, checks: facts.checks } : facts));
          await page.close();
        }
      } catch (e) {
        failed++;
        console.log("FAIL " + e.message);
      }
    }
  } finally {
    await browser.close();
  }
  if (failed) { console.log(failed + " page(s) failed"); process.exit(1); }
})().catch((e) => { console.error(e); process.exit(1); });
