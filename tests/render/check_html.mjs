#!/usr/bin/env node
// Loads rendered HTML in headless Chromium (Debian's /usr/bin/chromium through playwright-core)
// and checks it with axe-core for WCAG 2.1 A and AA: zero violations. Also checks what axe's
// WCAG rules leave out but the document promises: lang="nb", one h1 and no skipped heading
// level, every in-page link has a target, and no request leaves the file (self-contained).
// Writes a full-page screenshot (PNG) and the A4 print (PDF) of each page next to it, for a
// person to look at, and prints their paths.
//
//   node check_html.mjs --out DIR FILE.html [FILE.html ...]
//
// Exits 0 when all holds, 1 on any finding, 2 on bad usage. The npm packages come from
// tests/node_modules (tests/install-npm-deps.sh); without them this fails, never skips.

import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const kChromium = "/usr/bin/chromium";
const kArgs = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function usage(message) {
  console.error(`check_html: ${message}`);
  console.error("usage: check_html.mjs --out DIR FILE.html [FILE.html ...]");
  process.exit(2);
}

const args = process.argv.slice(2);
let outDir;
const files = [];
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--out") outDir = args[++i];
  else if (args[i].startsWith("-")) usage(`unknown option ${args[i]}`);
  else files.push(path.resolve(args[i]));
}
if (!outDir || files.length === 0) usage("give --out DIR and at least one file");

let chromium;
let axeSource;
try {
  ({ chromium } = await import("playwright-core"));
  axeSource = (await import("axe-core")).default.source;
} catch (error) {
  console.error(
    "check_html: the npm packages playwright-core and axe-core are missing (tests/node_modules). " +
      "Run tests/install-npm-deps.sh first.\n" + error.message);
  process.exit(1);
}
if (!existsSync(kChromium)) {
  console.error(`check_html: ${kChromium} not found; install Debian's chromium (apt-get install chromium).`);
  process.exit(1);
}

const findings = [];
const profile = mkdtempSync(path.join(tmpdir(), "boligflyt-chromium-"));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: kChromium,
    headless: true,
    args: kArgs,
    viewport: { width: 1400, height: 900 },
    locale: "nb-NO",
  });
  for (const file of files) await check(file);
} finally {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
}

if (findings.length > 0) {
  for (const finding of findings) console.error(finding);
  console.error(`check_html: ${findings.length} finding(s)`);
  process.exit(1);
}

async function check(file) {
  const name = path.basename(file);
  const page = await context.newPage();
  const external = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
    external.push(url);
    return route.abort();
  });
  const started = Date.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  for (const url of external) findings.push(`${name}: external request to ${url}`);

  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    }));
  for (const v of results.violations) {
    findings.push(`${name}: axe ${v.id} (${v.impact}): ${v.help}`);
    for (const node of v.nodes.slice(0, 5)) findings.push(`    ${node.target.join(" ")}: ${node.failureSummary}`);
  }

  const structure = await page.evaluate(() => {
    const levels = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => Number(h.tagName[1]));
    const broken = [...document.querySelectorAll('a[href^="#"]')]
      .map((a) => decodeURIComponent(a.getAttribute("href").slice(1)))
      .filter((id) => !document.getElementById(id));
    return { lang: document.documentElement.lang, levels, broken, title: document.title };
  });
  if (structure.lang !== "nb") findings.push(`${name}: <html lang> is "${structure.lang}", not "nb"`);
  if (!structure.title) findings.push(`${name}: empty <title>`);
  const h1s = structure.levels.filter((l) => l === 1).length;
  if (h1s !== 1 || structure.levels[0] !== 1) findings.push(`${name}: expected exactly one h1, first`);
  for (let i = 1; i < structure.levels.length; ++i) {
    if (structure.levels[i] > structure.levels[i - 1] + 1) {
      findings.push(`${name}: heading h${structure.levels[i]} follows h${structure.levels[i - 1]}`);
    }
  }
  for (const id of new Set(structure.broken)) findings.push(`${name}: link to #${id} has no target`);

  const base = path.join(outDir, name.replace(/\.html$/, ""));
  await page.screenshot({ path: `${base}.png`, fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.pdf({ path: `${base}.pdf`, preferCSSPageSize: true, printBackground: true });
  console.log(
    `check_html: ${name}: ${results.violations.length} axe violations (WCAG 2.1 A/AA), ` +
      `${structure.levels.length} headings, ${Date.now() - started} ms`);
  console.log(`  screenshot: ${base}.png`);
  console.log(`  print (A4): ${base}.pdf`);
  await page.close();
}
