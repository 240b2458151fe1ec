// The editor's scripts in a real Firefox ESR: node firefox_smoke.mjs FIREFOX URL
// opens the editor served at URL (".../", ending in a slash), types on three
// pages and prints what the pages showed as one JSON object.  The site must
// have the example's data/performance.yaml and the duty list of
// tests/test_editor_firefox.py.  puppeteer-core drives the installed Firefox
// over WebDriver BiDi: no geckodriver, no browser download.
import puppeteer from "puppeteer-core";

const [firefox, base] = process.argv.slice(2);
const WAIT = 15000; // every wait is bounded: a broken page fails instead of hanging

const browser = await puppeteer.launch({
  browser: "firefox", executablePath: firefox, headless: true, timeout: 60000,
  extraPrefsFirefox: {"intl.accept_languages": "zh-CN"},
});
const result = {version: await browser.version(), errors: {}};
try {

  // Each page opened with its errors (uncaught exceptions and console.error) collected.
  async function visit(name, url, steps) {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error && error.message || error)));
    page.on("console", (message) => { if (message.type() === "error") { errors.push(message.text()); } });
    page.setDefaultTimeout(WAIT);
    try {
      await page.goto(url, {waitUntil: "load"});
      result[name] = await steps(page);
    } finally {
      result.errors[name] = errors;
      await page.close();
    }
  }

  const text = (page, selector) => page.$eval(selector, (e) => e.textContent);

  async function saved(page, button) {
    await Promise.all([page.waitForNavigation({waitUntil: "load"}), page.click(`button:not([aria-hidden])::-p-text(${button})`)]);
    return (await page.$eval("body", (b) => b.textContent)).includes("已保存");
  }

  // The collector itself: a page that throws and logs an error must be caught.
  await visit("probe", "data:text/html,<script>console.error('probe-console');throw new Error('probe-throw')</script>",
    async () => ({}));

  // 绩效考核: two deductions of 甲班 on A02 (分值 5): 3 + 3 is over, 3 + 1.5 is not.
  await visit("performance", `${base}admin/performance?new=1`, async (page) => {
    const row = (i, field) => `#deductions tr.row:nth-of-type(${i + 1}) [name$='.${field}']`;
    const check = "#deductions tr.row:nth-of-type(2) .row-check";
    const total = "#totals tr[data-team='甲班'] .score";
    const out = {start: await text(page, total)};
    for (const [i, item, reason] of [[0, "A02", "两人未戴防尘口罩"], [1, "劳动防护", "一人未戴安全帽"]]) {
      await page.select(row(i, "team"), "甲班");
      await page.type(row(i, "item"), item);
      await page.type(row(i, "points"), "3");
      await page.type(row(i, "reason"), reason);
    }
    out.found = await text(page, "#deductions tr.row:nth-of-type(2) .item-found");
    out.overWarning = await text(page, check);
    out.overTotal = await text(page, total);
    await page.click(row(1, "points"), {count: 3}); // select the 3, then type over it
    await page.type(row(1, "points"), "1.5");
    out.warning = await text(page, check);
    out.total = await text(page, total);
    out.saved = await saved(page, "保存这一期");
    return out;
  });

  // The article editor: typing in the Markdown box changes the preview, with nothing saved.
  await visit("article", `${base}admin/articles/edit?section=news`, async (page) => {
    await page.type("#f-body", "## 会议内容\n\n全班组十二人参加。\n");
    const preview = () => {
      const doc = document.getElementById("preview").contentDocument;
      const heading = doc && doc.querySelector("h2");
      return heading && heading.textContent === "会议内容" ? doc.body.textContent : null;
    };
    const shown = await page.waitForFunction(preview, {timeout: WAIT, polling: 100});
    return {preview: await shown.jsonValue()};
  });

  // A searchable choice: part of a team's name picks it and hides the others.
  await visit("choice", `${base}admin/new?file=data/duty.yaml&list=duties`, async (page) => {
    await page.$eval("[name='v.duties.1.date']", (box) => { box.value = "2026-11-27"; });
    await page.type("input.filter[data-filter-for]", "检修");
    const out = await page.$eval("select[name='v.duties.1.team']", (select) => ({
      chosen: select.value,
      shown: Array.from(select.options).filter((o) => !o.hidden && o.value).map((o) => o.value),
    }));
    out.saved = await saved(page, "保存这一条");
    return out;
  });

} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + "\n");
