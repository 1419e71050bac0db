// The web console in a real browser (Debian's chromium, driven by
// puppeteer-core) against a real dxledgerd with the FY2021 report, through
// the flows its users need:
//   1. an editor signs in, finds No.9 under 企画振興部, changes its rating
//      with a reason, and sees the history update;
//   2. a second session sees a change live, within a second;
//   3. a stale form gets the conflict message, and writes nothing;
//   4. an auditor finds who changed the rating and when;
//   5. HQ opens a FY2022 goal's lineage back to FY2021.
// Each flow checks the DOM and takes a screenshot, checked for Japanese
// glyphs (not tofu). Screenshots stay in WORK.
//
//   node console_test.mjs DXLEDGERD DXLEDGER SEED WORK
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { glyphDifference } from './glyphs.mjs';
import { Ledger } from './ledger.mjs';

const [dxledgerd, dxledger, seed, work] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// Real glyphs differ in about half of their ink (0.48-0.59 measured on
// the titles here: neighbouring kanji share strokes); tofu in none (0.00).
const GLYPHS_DIFFER = 0.3;
const ORG = '/v1/organizations/050008';

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const ledger = new Ledger({ dxledgerd, dxledger, work });
const pageErrors = [];

function launch(env = {}) {
  return puppeteer.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--lang=ja-JP', '--no-first-run', '--disable-background-networking'],
    env: { ...process.env, ...env },
  });
}

// A new session (its own cookie jar), signed in with `name`'s token,
// typed and sent with Enter as a person would.
async function signIn(browser, name) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  // Refusals the flows expect (not signed in yet, the stale form's 409)
  // are logged by the browser too; anything else is a fault.
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (401|409) /.test(message.text())) {
      pageErrors.push(`${name}: ${message.text()} ${message.location()?.url || ''}`);
    }
  });
  await page.goto(`${ledger.url}/`);
  await page.waitForSelector('#token');
  await page.type('#token', ledger.tokens[name]);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav:not([hidden])');
  assert.match(await text(page, '#principal'), new RegExp(name));
  return page;
}

// Waits until the page of the current address is shown (the console marks
// it when a render finishes), so that a wait never sees the previous page.
const pageShown = (page) => page.waitForFunction(
  () => document.querySelector('main')?.dataset.shown === location.hash, { polling: 'mutation' });

const text = (page, selector) => page.$eval(selector, (e) => e.textContent);
const waitText = (page, selector, pattern, timeout = 5000) => page.waitForFunction(
  (selector, source) => new RegExp(source).test(document.querySelector(selector)?.textContent || ''),
  { timeout, polling: 'mutation' }, selector, pattern.source);

async function screenshotWithGlyphs(page, name, selector = 'main h1') {
  await page.screenshot({ path: join(work, `${name}.png`), fullPage: true });
  const difference = await glyphDifference(page, selector, join(work, `${name}-glyphs.png`));
  assert.ok(difference > GLYPHS_DIFFER, `${name}: Japanese text looks like tofu (ink difference ${difference.toFixed(2)})`);
  return difference;
}

// A goal's page, once its live updates are connected.
async function openGoal(page, id) {
  await page.goto(`${ledger.url}/#/goals/${id}`);
  await page.waitForSelector('#history tbody tr');
  try {
    await page.waitForSelector('#live[data-connected]', { timeout: 10000 });
  } catch (error) {
    throw new Error(`live updates did not connect: "${await text(page, '#live')}"`);
  }
}

async function rateInForm(page, rating, rationale) {
  await page.select('form[data-verb="setRating"] select', rating);
  await page.type('form[data-verb="setRating"] textarea', rationale);
}

const goal9 = async () => (await ledger.call('hq', 'GET', `${ORG}/goals/fy2021-09`)).goal;

const flows = {
  async editorRatesNo9(browser, session) {
    const page = session.editor1 = await signIn(browser, 'editor1');
    await page.waitForSelector('#years');
    // From the keyboard: a page, once shown, has the focus on its heading;
    // the first stop of Tab order is the link past the menu.
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
    assert.equal(await page.evaluate(() => document.querySelector('a, button, input, select, textarea').textContent),
      '本文へ移動');
    await page.click('nav a[href="#/goals"]');
    await page.waitForSelector('#filter-year option[value="2021"]');
    await page.select('#filter-year', '2021');
    await page.type('#filter-department', '企画振興部');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => location.hash.includes('department='));
    await pageShown(page);
    const rows = await page.$$eval('#goals tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.ok(rows.every((row) => row.includes('企画振興部')), `rows outside 企画振興部: ${rows}`);
    // No.9 by its number cell, then its title link.
    const link = await page.evaluateHandle(() => [...document.querySelectorAll('#goals tbody tr')]
      .find((tr) => tr.cells[0].textContent === '9').querySelector('a'));
    await link.click();
    await page.waitForSelector('#history tbody tr');
    assert.equal(await page.evaluate(() => location.hash), '#/goals/fy2021-09');
    assert.equal(await text(page, '#goal-title'), '高齢者のデジタルデバイド対策の推進');
    assert.match(await text(page, '#rating'), /C/);
    const labelled = await page.$$eval('main input, main select, main textarea',
      (controls) => controls.filter((c) => c.type !== 'hidden' && !c.labels?.length && !c.getAttribute('aria-label')).map((c) => c.outerHTML));
    assert.deepEqual(labelled, [], 'every form control has a label');

    await rateInForm(page, 'RATING_B', 'サポーター育成が進み、受講者数も回復したため');
    await page.click('form[data-verb="setRating"] button[type="submit"]');
    await waitText(page, '#history tbody tr:first-child', /評価を変更 C → B.*サポーター育成が進み/);
    assert.match(await text(page, '#history tbody tr:first-child'), /editor1/);
    assert.match(await text(page, '#history tbody tr:first-child td.time'), /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} JST$/);
    assert.match(await text(page, '#rating'), /B.*サポーター育成が進み/);
    assert.equal((await goal9()).rating, 'RATING_B');

    // Printed: no menu, no forms.
    await page.emulateMediaType('print');
    assert.equal(await page.$eval('#nav', (e) => getComputedStyle(e).display), 'none');
    assert.equal(await page.$eval('.edit-section', (e) => getComputedStyle(e).display), 'none');
    await page.pdf({ path: join(work, 'goal-page.pdf'), format: 'A4' });
    await page.emulateMediaType('screen');
    return screenshotWithGlyphs(page, '1-editor-rated-no9', '#goal-title');
  },

  async secondSessionSeesItLive(browser, session) {
    const watcher = session.editor2 = await signIn(browser, 'editor2');
    await openGoal(watcher, 'fy2021-09');
    const page = session.editor1;
    await rateInForm(page, 'RATING_A', '操作体験会の受講者が目標に達したため');
    const clicked = Date.now();
    await page.click('form[data-verb="setRating"] button[type="submit"]');
    await waitText(watcher, '#rating', /A/, 3000);
    const seen = Date.now();
    // From the moment the change was committed (its record time, by the
    // same machine's clock) to the second page showing it.
    const events = (await ledger.call('hq', 'GET', `${ORG}/goals/fy2021-09:history`)).events;
    const committed = Date.parse(events[events.length - 1].recordTime);
    const elapsed = seen - committed;
    console.log(`  the change reached the second session ${elapsed} ms after its commit ` +
      `(${seen - clicked} ms after the first session's click)`);
    assert.ok(elapsed < 1000, `the second session saw the change ${elapsed} ms after it was committed`);
    assert.match(await text(watcher, '#live-notice'), /editor1 がこの目標を変更しました: 評価を変更 B → A/);
    await waitText(watcher, '#history tbody tr:first-child', /操作体験会の受講者が目標に達した/);
    return screenshotWithGlyphs(watcher, '2-second-session-live', '#goal-title');
  },

  async staleFormGetsTheConflict(browser, session) {
    const page = session.editor1;
    await openGoal(page, 'fy2021-09');
    const before = await goal9();
    await rateInForm(page, 'RATING_C', '古い画面からの評価');
    // Meanwhile someone else rates it, through the API.
    await ledger.call('editor2', 'POST', `${ORG}/goals/fy2021-09:setRating`,
      { rating: 'RATING_D', rationale: '別の担当者による見直し', expectedVersion: before.version });
    await waitText(page, '#live-notice', /editor2/);
    await page.click('form[data-verb="setRating"] button[type="submit"]');
    await page.waitForSelector('#conflict');
    const conflict = await text(page, '#conflict');
    assert.match(conflict, /ほかの人がこの目標を変更しました/);
    assert.match(conflict, /editor2: 評価を変更 A → D 理由「別の担当者による見直し」/);
    const after = await goal9();
    assert.equal(after.rating, 'RATING_D', 'the stale form wrote nothing');
    assert.equal(Number(after.version), Number(before.version) + 1);
    // What was typed is kept; after seeing the change it can be sent again.
    assert.equal(await page.$eval('form[data-verb="setRating"] textarea', (e) => e.value), '古い画面からの評価');
    const shot = await screenshotWithGlyphs(page, '3-stale-form-conflict', '#conflict h3');
    await page.click('#conflict button');
    await page.click('form[data-verb="setRating"] button[type="submit"]');
    await waitText(page, '#history tbody tr:first-child', /評価を変更 D → C 理由「古い画面からの評価」/);
    assert.equal((await goal9()).rating, 'RATING_C');
    return shot;
  },

  async auditorFindsWhoAndWhen(browser) {
    // A refused write first, for the security log.
    await assert.rejects(ledger.call('editor1', 'POST', `${ORG}/goals/fy2021-01:setRating`,
      { rating: 'RATING_A', rationale: '他部局の目標' }), /403/);
    const page = await signIn(browser, 'auditor');
    await page.click('nav a[href="#/audit"]');
    await page.waitForSelector('#filter-department');
    await page.type('#filter-department', '企画振興部');
    await page.type('#filter-actor', 'editor1');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => location.hash.includes('actor=editor1'));
    await pageShown(page);
    const rows = await page.$$eval('#rating-changes tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
    const changes = (await ledger.call('auditor', 'GET',
      `${ORG}/ratingChanges?goal=${encodeURIComponent(`${ORG.slice(4)}/goals/fy2021-09`)}&actor=editor1`)).ratingChanges;
    assert.equal(rows.length, changes.length, 'one row for each of editor1\'s changes');
    const jst = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit',
      day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    changes.forEach((change, i) => {
      assert.equal(rows[i][0], `${jst.format(new Date(change.recordTime))} JST`);
      assert.equal(rows[i][1], 'fy2021-09');
      assert.equal(rows[i][5], 'editor1');
    });
    assert.match(rows[0][4], /C → B/);
    assert.match(rows[rows.length - 1][4], /D → C/);
    const shot = await screenshotWithGlyphs(page, '4-auditor-rating-changes');

    // The goal as it stood at the first change: from its history row.
    await page.click('#rating-changes tbody tr:first-child a');
    await page.waitForSelector('#history tbody tr');
    const asOf = await page.evaluateHandle(() => [...document.querySelectorAll('#history tbody tr')]
      .find((tr) => tr.textContent.includes('C → B')).querySelector('a'));
    await asOf.click();
    await page.waitForSelector('#as-of-banner');
    await waitText(page, '#rating', /B.*サポーター育成が進み/);
    assert.equal(await page.$('.edit-section'), null, 'no forms on a past state');
    // The picker, in Japan time: one second before editor1's first change
    // the goal had the seed's rating and none of the changes.
    const before = new Date(Date.parse(changes[0].recordTime) - 1000 + 9 * 3600 * 1000).toISOString().slice(0, 19);
    await page.$eval('#as-of', (input, value) => { input.value = value; }, before);
    const previous = await page.evaluate(() => location.hash);
    await page.click('form.asof button[type="submit"]');
    await page.waitForFunction((previous) => location.hash !== previous, {}, previous);
    await pageShown(page);
    assert.doesNotMatch(await text(page, '#history'), /editor1/);
    assert.match(await text(page, '#rating'), /C/);
    assert.match(await text(page, '#as-of-banner'), new RegExp(`${before.slice(0, 10).replaceAll('-', '/')} ${before.slice(11)} JST 時点`));

    await page.click('nav a[href="#/security"]');
    await page.waitForSelector('#security-events tbody tr');
    const refused = await page.$$eval('#security-events tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.ok(refused.some((row) => /editor1.*SetRating.*fy2021-01.*権限がない/.test(row)), refused.join('\n'));
    return shot;
  },

  async hqOpensLineage(browser) {
    const page = await signIn(browser, 'hq');
    await page.waitForSelector('#years');
    const years = await text(page, '#years');
    assert.match(years, /令和3年度 \(2021\).*計画策定前.*締め済み/);
    assert.match(years, /令和4年度 \(2022\).*DX推進計画.*進行中/);
    // An export button gives the report as a file.
    const csv = await page.$eval('#years a[href*="REPORT_FORMAT_CSV"]', async (a) => {
      const response = await fetch(a.href);
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
    });
    assert.equal(csv.status, 200);
    assert.match(csv.type, /text\/csv/);
    assert.match(csv.text, /高齢者のデジタルデバイド対策の推進/);

    await page.click('#years a[href="#/goals?year=2022"]');
    await page.waitForSelector('#goals tbody tr');
    // On a laptop's width, no department's name breaks across lines.
    const broken = await page.$$eval('#goals .department', (names) =>
      names.filter((name) => name.getClientRects().length !== 1).map((name) => name.textContent));
    assert.deepEqual(broken, []);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'nothing wider than the window');
    await page.type('#filter-q', '操作体験会');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => location.hash.includes('q='));
    await pageShown(page);
    assert.equal(await text(page, '#goal-count'), '1件');
    await page.click('#goals tbody a');
    await page.waitForSelector('#lineage-graph');
    assert.equal(await text(page, '#goal-title'), '高齢者向け操作体験会');
    assert.match(await text(page, '#lineage-desc'),
      /2021年度「高齢者のデジタルデバイド対策の推進」 → 分割 → 2022年度「高齢者向け操作体験会」/);
    assert.match(await text(page, '#year-over-year'), /令和3年度 \(2021\).*計画策定前.*高齢者のデジタルデバイド対策の推進/);
    const shot = await screenshotWithGlyphs(page, '5-hq-lineage', '#goal-title');
    // Back to FY2021 through the graph.
    await page.click('#lineage-graph a[href="#/goals/fy2021-09"]');
    await waitText(page, '#goal-title', /^高齢者のデジタルデバイド対策の推進$/);

    // Ledger text is shown as text, never run as markup.
    const markup = '<img src=x onerror="window.injected=1">スクリプト<script>window.injected=2</script>';
    await ledger.call('hq', 'POST', `${ORG}/goals`, { goalId: 'markup', fiscalYear: 2022, departments: ['総務部'], title: markup });
    await page.goto(`${ledger.url}/#/goals?year=2022&q=${encodeURIComponent('スクリプト')}`);
    await pageShown(page);
    assert.equal(await text(page, '#goal-count'), '1件');
    assert.equal(await text(page, '#goals tbody a'), markup);
    assert.equal(await page.$('main img, main script'), null);
    assert.equal(await page.evaluate(() => window.injected), undefined);

    // Signing out ends the session on the server too: its cookie no longer works.
    await page.click('#sign-out');
    await page.waitForSelector('#token');
    const status = await page.evaluate(async () => (await fetch('/v1/caller')).status);
    assert.equal(status, 401);
    return shot;
  },
};

// FY2022 opened by HQ: every FY2021 goal continued, No.9 split in two.
async function rollOver() {
  const goals = (await ledger.call('hq', 'GET', `${ORG}/goals?fiscalYear=2021`)).goals;
  const newGoals = [];
  const decisions = [];
  for (const goal of goals) {
    const id = goal.name.split('/').pop();
    if (id === 'fy2021-09') {
      newGoals.push({ goalId: 'fy2022-09a', departments: goal.departments, title: '高齢者向け操作体験会' },
        { goalId: 'fy2022-09b', departments: goal.departments, title: 'デジタル活用サポーターの育成' });
      decisions.push({ goal: id, relation: 'LINEAGE_RELATION_SPLIT', toGoals: ['fy2022-09a', 'fy2022-09b'] });
      continue;
    }
    const next = id.replace('fy2021', 'fy2022');
    newGoals.push({ goalId: next, departments: goal.departments, title: goal.title });
    decisions.push({ goal: id, relation: 'LINEAGE_RELATION_CONTINUED', toGoals: [next] });
  }
  await ledger.call('hq', 'POST', `${ORG}/fiscalYears/2021:rollOver`,
    { planFramework: 'PLAN_FRAMEWORK_DX_PLAN', newGoals, decisions });
}

// Without a Japanese font the same check sees tofu: it can fail.
async function checkCanSeeTofu() {
  const conf = join(work, 'no-japanese.conf');
  writeFileSync(conf, '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>' +
    `<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>${join(work, 'fontconfig-cache')}</cachedir></fontconfig>`);
  const browser = await launch({ FONTCONFIG_FILE: conf });
  try {
    const page = await browser.newPage();
    await page.goto(`${ledger.url}/`);
    await page.waitForSelector('#token');
    return await glyphDifference(page, 'main h1', join(work, '0-tofu.png'));
  } finally {
    await browser.close();
  }
}

let failed = 0;
try {
  await ledger.start();
  ledger.addPrincipal('hq', 'hq');
  ledger.addPrincipal('editor1', 'editor', ['企画振興部']);
  ledger.addPrincipal('editor2', 'editor', ['企画振興部']);
  ledger.addPrincipal('auditor', 'auditor');
  ledger.importReport(seed, 'hq');
  await rollOver();

  const browser = await launch();
  const session = {};
  for (const [name, flow] of Object.entries(flows)) {
    try {
      const glyphs = await flow(browser, session);
      console.log(`PASS ${name} (glyphs differ in ${glyphs.toFixed(2)} of the ink)`);
    } catch (error) {
      ++failed;
      console.log(`FAIL ${name}: ${error.stack}`);
    }
  }
  await browser.close();
  const tofu = await checkCanSeeTofu();
  if (tofu < 0.05) console.log(`PASS without a Japanese font the check sees tofu (${tofu.toFixed(2)})`);
  else { ++failed; console.log(`FAIL without a Japanese font the glyphs still differ (${tofu.toFixed(2)})`); }
  if (pageErrors.length) { ++failed; console.log(`FAIL errors in the pages:\n  ${pageErrors.join('\n  ')}`); }
} finally {
  ledger.stop();
}
process.exit(failed ? 1 : 0);
