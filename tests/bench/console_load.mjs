// Page loads of the web console in Debian's chromium, against two servers
// in alternating rounds: by default the FY2021 seed (started here, with a
// goal g4242 of 10 events added) and a large store kept by
// `tests/bench/run.sh --phase log --keep-store DIR` (1M events; its goals
// g0..g99999 of 総務部 have 10 events each).
//
//   node tests/bench/console_load.mjs --store /tmp/big [--rounds 20]
//
// Each load is a full reload of the page (the console's files revalidated
// by ETag, its API calls made) until its content is on screen:
// - goal page: #/goals/g4242, until its history and lineage are drawn;
// - filtered list: #/goals?year=2021&department=総務部, until the rows are;
// - title search: #/goals?year=2021&q=g4242 (one goal found), likewise.
// Prints p50 and p90 per page and server, and the ratios large / seed.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { Ledger } from '../web/ledger.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const require = createRequire(join(root, 'tests/web/package.json'));
const puppeteer = require('puppeteer-core');
const { values: args } = parseArgs({ options: {
  store: { type: 'string' }, rounds: { type: 'string', default: '20' },
  build: { type: 'string', default: join(root, 'build') },
  work: { type: 'string', default: '/tmp/console-load' },
} });
const rounds = Number(args.rounds);
const dxledgerd = join(args.build, 'service/dxledgerd');
const dxledger = join(args.build, 'client/dxledger');
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function seedServer() {
  const ledger = new Ledger({ dxledgerd, dxledger, work: join(args.work, 'seed') });
  rmSync(ledger.work, { recursive: true, force: true });
  await ledger.start();
  // As the large store's tester is.
  ledger.addPrincipal('tester', ['hq', 'editor'], ['総務部', '企画振興部', '土木部']);
  ledger.importReport(join(root, 'tests/fixtures/dx-progress-report-fy2021.txt'), 'tester');
  const goals = '/v1/organizations/050008/goals';
  await ledger.call('tester', 'POST', goals, { goalId: 'g4242', fiscalYear: 2021, departments: ['総務部'],
    title: 'ベンチマーク目標 g4242' });
  for (let n = 0; n < 9; ++n) {
    await ledger.call('tester', 'POST', `${goals}/g4242:setRating`,
      { rating: `RATING_${'ABCD'[n % 4]}`, rationale: '四半期の見直し' });
  }
  return ledger;
}

// The large store, served from a copy (a session and a stream write nothing,
// but the copy keeps the kept store as it was).
async function largeServer() {
  const work = join(args.work, 'large');
  rmSync(work, { recursive: true, force: true });
  cpSync(args.store, join(work, 'data'), { recursive: true });
  const ledger = new Ledger({ dxledgerd, dxledger, work });
  await ledger.start();
  ledger.tokens.tester = readFileSync(join(args.store, 'tester.token'), 'utf8').trim();
  return ledger;
}

async function signedIn(browser, ledger) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`${ledger.url}/`);
  await page.waitForSelector('#token');
  await page.type('#token', ledger.tokens.tester);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nav:not([hidden])');
  return page;
}

const PAGES = {
  'goal page': { hash: '#/goals/g4242', ready: '#history tbody tr, #lineage-heading' },
  'filtered list': { hash: `#/goals?year=2021&department=${encodeURIComponent('総務部')}`, ready: '#goals tbody tr' },
  // Not a target: a title search reads every goal of the year (100,000 in
  // the large store), to show what that costs.
  'title search': { hash: '#/goals?year=2021&q=g4242', ready: '#goals tbody tr' },
};

async function load(page, ledger, { hash, ready }) {
  await page.goto('about:blank');
  const started = performance.now();
  await page.goto(`${ledger.url}/${hash}`);
  await page.waitForFunction((selectors) => selectors.split(', ').every((s) => document.querySelector(s)),
    { polling: 'mutation' }, ready);
  return performance.now() - started;
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

if (!args.store || !existsSync(join(args.store, 'tester.token'))) {
  console.error('--store DIR: a data directory kept by tests/bench/run.sh --phase log --keep-store DIR');
  process.exit(2);
}
const servers = { seed: await seedServer(), large: await largeServer() };
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true, args: ['--no-sandbox', '--disable-gpu', '--lang=ja-JP'] });
try {
  const pages = {};
  for (const [name, ledger] of Object.entries(servers)) pages[name] = await signedIn(browser, ledger);
  const times = {};
  for (let round = -2; round < rounds; ++round) {  // two rounds to warm up
    for (const [pageName, spec] of Object.entries(PAGES)) {
      for (const name of round % 2 ? ['seed', 'large'] : ['large', 'seed']) {
        const ms = await load(pages[name], servers[name], spec);
        if (round >= 0) (times[`${pageName}|${name}`] ||= []).push(ms);
      }
    }
  }
  console.log(`| page | p50 seed | p50 1M | ratio | p90 seed | p90 1M | ratio |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const pageName of Object.keys(PAGES)) {
    const seed = times[`${pageName}|seed`];
    const large = times[`${pageName}|large`];
    const [s50, l50, s90, l90] = [quantile(seed, 0.5), quantile(large, 0.5), quantile(seed, 0.9), quantile(large, 0.9)];
    console.log(`| ${pageName} | ${s50.toFixed(0)} ms | ${l50.toFixed(0)} ms | ${(l50 / s50).toFixed(2)} | ` +
      `${s90.toFixed(0)} ms | ${l90.toFixed(0)} ms | ${(l90 / s90).toFixed(2)} |`);
  }
} finally {
  await browser.close();
  for (const ledger of Object.values(servers)) ledger.stop();
  await sleep(200);
}
