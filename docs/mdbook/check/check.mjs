// Opens every page of the built books in headless Chromium and fails on
// what a reader would see broken. Run by `docs/book check`:
//
//   node docs/mdbook/check/check.mjs SITE FAILURES
//
// SITE is what `docs/book build` wrote; a screenshot of each failing page
// goes to FAILURES. Fails on: a Mermaid error or a diagram left undrawn; a
// link or #anchor inside the site that leads nowhere; a language link that
// does not reach the same chapter; a console error, an uncaught exception
// or a failed request; chapters whose order differs between the books, or
// a print view that does not hold every chapter in order; a Korean or
// English search that finds nothing.
import { createServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize, relative, sep } from "node:path";
import { chromium } from "playwright-core";

const [site, failures] = process.argv.slice(2);
if (!site || !failures) {
  console.error("usage: node check.mjs SITE FAILURES");
  process.exit(2);
}
const started = Date.now();
const LANGUAGES = ["en", "ko"];
// A word each book's search must find: 소켓 stands in 소켓을, 소켓이 ...
const SEARCHES = { en: "socket", ko: "소켓" };
const TIMEOUT = 20_000;

// A static server for SITE on a free loopback port.
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
  ".json": "application/json",
};
const server = createServer(async (request, response) => {
  // Chromium asks every page without an icon (toc.html) for /favicon.ico;
  // a missing one is no broken page.
  if (request.url === "/favicon.ico") return response.writeHead(204).end();
  let path = decodeURIComponent(new URL(request.url, "http://x").pathname);
  path = normalize(join(site, path));
  try {
    if (!path.startsWith(normalize(site))) throw new Error("outside");
    if ((await stat(path)).isDirectory()) path = join(path, "index.html");
    const body = await readFile(path);
    response.writeHead(200, {
      "content-type": TYPES[extname(path)] ?? "text/plain; charset=utf-8",
    });
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end("not found");
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

// Every HTML page of both books.
const pages = [];
for (const lang of LANGUAGES) {
  for (const name of readdirSync(join(site, "docs", lang)).sort()) {
    if (name.endsWith(".html")) pages.push(`/docs/${lang}/${name}`);
  }
}

const profile = mkdtempSync(join(tmpdir(), "book-check-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 900 },
});
context.setDefaultTimeout(TIMEOUT);

const problems = new Map(); // page -> [problem]
const report = (page, problem) => {
  if (!problems.has(page)) problems.set(page, []);
  problems.get(page).push(problem);
};
const seen = new Map(); // page path -> { ids, links, language, sidebar, h1s }

// Opens one page, records what it shows, and keeps a screenshot if it
// failed. `where` is a selector to scroll into view for the screenshot.
async function visit(path) {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => {
    const text = m.text().split("\n")[0];
    if (m.type() === "error") errors.push(`console error: ${text}`);
  });
  page.on("pageerror", (e) =>
    errors.push(`uncaught: ${e.message.split("\n")[0]}`),
  );
  page.on("requestfailed", (r) =>
    errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`),
  );
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  // The print view would open a print dialog; the check needs none.
  await page.addInitScript(() => {
    window.addEventListener("DOMContentLoaded", () => {
      window.print = () => {};
    });
  });
  let where = null;
  try {
    await page.goto(origin + path, { waitUntil: "load" });
    const info = await page.evaluate(async () => {
      if (window.diagramsDrawn) await window.diagramsDrawn;
      const diagrams = [...document.querySelectorAll(".mermaid")];
      const bad = diagrams.findIndex(
        (d) =>
          !d.querySelector("svg") ||
          d.querySelector('svg[aria-roledescription="error"]') ||
          /Syntax error in text/.test(d.textContent),
      );
      if (bad >= 0) diagrams[bad].id ||= "undrawn-diagram";
      return {
        diagrams: diagrams.length,
        badDiagram: bad >= 0 ? diagrams[bad].id : null,
        ids: [...document.querySelectorAll("[id], a[name]")].map(
          (e) => e.id || e.getAttribute("name"),
        ),
        links: [...document.querySelectorAll("a[href]")]
          .map((a) => a.href)
          .filter((h) => /^https?:/.test(h)),
        language: document.querySelector(".language-link")?.href ?? null,
        sidebar: [...document.querySelectorAll(".sidebar .chapter a[href]")]
          .filter((a) => !a.getAttribute("href").startsWith("#"))
          .map((a) => a.href),
        h1s: [...document.querySelectorAll("main h1")].map((h) =>
          h.textContent.trim(),
        ),
        lang: document.documentElement.lang,
      };
    });
    if (info.badDiagram) {
      report(path, "a Mermaid diagram is not drawn (or drawn as an error)");
      where = `#${info.badDiagram}`;
    }
    seen.set(path, info);
    const lang = path.split("/")[2];
    if (SEARCHES[lang] && path.endsWith("/overview.html")) {
      const found = await search(page, SEARCHES[lang]);
      if (found === 0) report(path, `searching "${SEARCHES[lang]}" finds nothing`);
    }
  } catch (error) {
    errors.push(`could not be checked: ${error.message.split("\n")[0]}`);
  }
  for (const error of errors) report(path, error);
  if (problems.has(path)) await screenshot(page, path, where);
  await page.close();
}

// Types a word into the search bar; the number of results shown.
async function search(page, word) {
  await page.keyboard.press("s");
  await page.fill("#mdbook-searchbar", word);
  await page.press("#mdbook-searchbar", "End"); // searches on key up
  await page.waitForSelector("#mdbook-searchresults-header:not(:empty)");
  return page.locator("#mdbook-searchresults > li").count();
}

const shot = new Set(); // pages with a screenshot
async function screenshot(page, path, where) {
  shot.add(path);
  mkdirSync(failures, { recursive: true });
  const file = join(failures, path.slice(1).replaceAll("/", "-") + ".png");
  try {
    if (where) await page.locator(where).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: file });
    report(path, `screenshot: ${file}`);
  } catch (error) {
    report(path, `no screenshot: ${error.message.split("\n")[0]}`);
  }
}

rmSync(failures, { recursive: true, force: true });
for (const path of pages) await visit(path);

// Internal links: the file must exist; an #anchor must be an id on the
// page it names (pages outside the books are opened for that too).
const toPath = (href) => {
  const url = new URL(href);
  let path = decodeURIComponent(url.pathname);
  if (path.endsWith("/")) path += "index.html";
  return { path, hash: decodeURIComponent(url.hash.slice(1)) };
};
const badLink = new Map(); // page -> a link on it that leads nowhere
const queue = [...seen.keys()];
for (let i = 0; i < queue.length; i += 1) {
  const from = queue[i];
  for (const href of seen.get(from)?.links ?? []) {
    if (!href.startsWith(origin)) continue; // no network: not followed
    let { path, hash } = toPath(href);
    if (!existsSync(join(site, path))) {
      report(from, `link to ${path} leads nowhere`);
      badLink.set(from, href);
      continue;
    }
    if (!path.endsWith(".html")) continue;
    if (!seen.has(path) && !queue.includes(path)) {
      queue.push(path);
      await visit(path);
    }
    // mdBook's 404 page sets <base href> to the book, so its heading's
    // own #anchor points into index.html: mdBook's, and harmless.
    const own = from.endsWith("/404.html") && seen.get(from).ids.includes(hash);
    // #L3-L7, lines 3 to 7 of a source file, leads to line 3.
    hash = hash.replace(/^(L\d+)-L\d+$/, "$1");
    if (hash && !own && seen.has(path) && !seen.get(path).ids.includes(hash)) {
      report(from, `link to ${path}#${hash}: no such anchor`);
      badLink.set(from, href);
    }
  }
}

// Language links: every book page has one, to the page of the same name in
// the other book, which links back.
for (const [from, info] of seen) {
  // The page's path inside its book: a chapter, or exercises/NAME.html.
  const [, , lang, ...rest] = from.split("/");
  const name = rest.join("/");
  // toc.html is the sidebar for browsers without JavaScript, no chapter.
  if (!LANGUAGES.includes(lang) || name === "toc.html") continue;
  const other = lang === "en" ? "ko" : "en";
  const want = `/docs/${other}/${name}`;
  if (!info.language) {
    report(from, "has no link to the other language");
  } else if (toPath(info.language).path !== want) {
    report(from, `language link goes to ${toPath(info.language).path}, not ${want}`);
  } else if (!seen.has(want)) {
    report(from, `language link: ${want} does not exist`);
  } else if (toPath(seen.get(want).language ?? origin).path !== from) {
    report(from, `${want} does not link back here`);
  }
}

// Both books list the same chapters in the same order, and each print view
// holds every chapter's title, in that order.
const chapters = {};
for (const lang of LANGUAGES) {
  const index = seen.get(`/docs/${lang}/index.html`);
  chapters[lang] = (index?.sidebar ?? []).map((h) =>
    toPath(h).path.split("/").slice(3).join("/"));
  const print = seen.get(`/docs/${lang}/print.html`);
  const titles = chapters[lang].map((n) => seen.get(`/docs/${lang}/${n}`)?.h1s[0]);
  let at = 0;
  for (const title of print?.h1s ?? []) if (title === titles[at]) at += 1;
  if (at < titles.length) {
    report(`/docs/${lang}/print.html`,
      `the print view lacks "${titles[at]}" (chapter ${at + 1}) or has it out of order`);
  }
}
if (chapters.en.join() !== chapters.ko.join()) {
  report("/docs/ko/index.html",
    `chapters differ: en has ${chapters.en.join(" ")}; ko has ${chapters.ko.join(" ")}`);
}

// The site's front page leads to both books.
const front = await readFile(join(site, "index.html"), "utf8");
for (const lang of LANGUAGES) {
  if (!front.includes(`href="docs/${lang}/"`)) {
    report("/index.html", `does not lead to docs/${lang}/`);
  }
}

// A screenshot of each failing page not yet taken, with its (first) bad
// link framed in red.
for (const path of problems.keys()) {
  if (shot.has(path) || !path.endsWith(".html")) continue;
  const page = await context.newPage();
  try {
    await page.goto(origin + path, { waitUntil: "load" });
    await page.evaluate(async (href) => {
      if (window.diagramsDrawn) await window.diagramsDrawn;
      const a = [...document.querySelectorAll("a[href]")].find(
        (a) => a.href === href && a.offsetParent,
      );
      if (a) a.id ||= "bad-link";
      if (a) a.style.outline = "3px solid red";
    }, badLink.get(path) ?? "");
  } catch {
    // the screenshot shows what there is
  }
  await screenshot(page, path, badLink.has(path) ? "#bad-link" : null);
  await page.close();
}

await context.close();
server.close();
rmSync(profile, { recursive: true, force: true });

const seconds = ((Date.now() - started) / 1000).toFixed(1);
const diagrams = [...seen.values()].reduce((n, i) => n + i.diagrams, 0);
if (problems.size) {
  for (const [path, list] of problems) {
    console.error(`${path}:`);
    for (const problem of list) console.error(`  ${problem}`);
  }
  console.error(`Book check: ${problems.size} of ${seen.size} pages failed (${seconds} s)`);
  console.log(`book: ${seen.size - problems.size} passed, ${problems.size} failed`);
  process.exit(1);
}
console.log(
  `Book check: ${seen.size} pages, ${diagrams} diagrams drawn, every link, ` +
  `anchor and language link leads somewhere (${seconds} s)`,
);
console.log(`book: ${seen.size} passed, 0 failed`);
