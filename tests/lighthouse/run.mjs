// Lighthouse (mobile emulation, its default) on the app's pages, signed out and as each role:
// run by `cargo xtask bench lighthouse`, which starts the server with the demo province.
// Prints one JSON line per page: the scores and the audits that lost points.
//
// Usage: node run.mjs <app url> <chromium path>

import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [base, chromium] = process.argv.slice(2);
if (!base || !chromium) {
  console.error('usage: node run.mjs <app url> <chromium path>');
  process.exit(2);
}

const CATEGORIES = ['accessibility', 'best-practices', 'performance'];

/** Who signs in (null: nobody) and the pages to judge, each with what shows it is ready. */
const VISITS = [
  [null, [['/', '#sign-in']]],
  ['counsellor', [['/', '#greeting'], ['/children', 'main h1'], ['/children/new', '#field-full_name'],
    ['/referrals', '#tab-inbox'], ['/indicators', '#indicator-I1'], ['/sync', '#sync-now']]],
  ['health', [['/', '#greeting'], ['/referrals', '#tab-inbox']]],
  ['admin', [['/admin/users', 'main h1'], ['/admin/facilities', 'main h1'], ['/admin/audit', 'main h1']]],
  ['officer', [['/indicators', '#indicator-I1']]],
];

/** The audits of a category that lost points, with what they say. */
function lost(lhr, category) {
  return lhr.categories[category].auditRefs
    .filter((ref) => ref.weight > 0)
    .map((ref) => lhr.audits[ref.id])
    .filter((audit) => audit.score !== null && audit.score < 1)
    .map((audit) => `${audit.id} (${audit.score})`);
}

for (const [user, pages] of VISITS) {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    if (user) {
      await page.goto(`${base}/`);
      await page.waitForSelector('#field-username', { timeout: 60000 });
      await page.type('#field-username', user);
      await page.type('#field-password', 'demo');
      await page.click('#sign-in');
      await page.waitForSelector('#greeting', { timeout: 60000 });
      // The first sync fills the device before the pages are judged.
      await page.waitForSelector('#sync-status[data-running="false"]', { timeout: 60000 });
    }
    for (const [path, ready] of pages) {
      // A run that Lighthouse itself could not finish (no score) is tried once more.
      let lhr;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const result = await lighthouse(
          `${base}${path}`,
          { output: 'json', logLevel: 'error', onlyCategories: CATEGORIES, disableStorageReset: true },
          undefined,
          page,
        );
        lhr = result.lhr;
        if (CATEGORIES.every((c) => lhr.categories[c].score !== null)) break;
      }
      const shown = await page.$(ready);
      const scores = Object.fromEntries(
        CATEGORIES.map((c) => [c, Math.round((lhr.categories[c].score ?? 0) * 100)]),
      );
      const losses = Object.fromEntries(CATEGORIES.map((c) => [c, lost(lhr, c)]));
      console.log(JSON.stringify({
        user: user ?? 'signed out',
        path,
        ready: shown !== null,
        scores,
        lost: losses,
        error: lhr.runtimeError ? `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` : undefined,
        warnings: lhr.runWarnings,
        lighthouse: lhr.lighthouseVersion,
      }));
    }
  } finally {
    await browser.close();
  }
}
