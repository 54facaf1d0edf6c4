// brook's web console in a real browser: Debian's Chromium, headless, driven by puppeteer-core,
// against a `brook serve` child with real topics, a consumer group with committed offsets and
// dead letters. Each page is checked for what a person would look at (names, offsets, lag),
// actions are taken through the forms (create a topic, produce, reset offsets, replay dead
// letters) and verified through the JSON API, and a screenshot of each page is saved to
// $SCREENSHOT_DIR (default: the OS temp dir).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const puppeteer = require('puppeteer-core');

const BROOK = process.env.BROOK_BINARY || 'brook';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.SCREENSHOT_DIR || os.tmpdir();
fs.mkdirSync(SHOTS, { recursive: true });

let broker, ready, base, browser, page, dataDir;

async function api(route, body) {
  const response = await fetch(base + route, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  const json = await response.json();
  assert.ok(response.ok, `${route}: ${JSON.stringify(json)}`);
  return json;
}

async function startBroker() {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-console-'));
  broker = spawn(BROOK, ['serve', '--listen', '127.0.0.1:0', '--kafka-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0',
    '--data-dir', dataDir, '--exit-with-parent', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: broker.stdout }).once('line', resolve);
    broker.once('exit', code => reject(new Error(`brook serve exited with ${code}`)));
  });
  ready = JSON.parse(line);
  base = `http://${ready.http}`;
}

async function shot(name) {
  await page.screenshot({ path: path.join(SHOTS, `console-${name}.png`), fullPage: true });
}

// The text of every cell of the first table under the heading, row by row, once the page
// has rendered that table (pages fill their tables after their data arrives).
async function tableAfter(heading, timeout = 10000) {
  const rows = await page.waitForFunction(text => {
    const h = [...document.querySelectorAll('h1, h2')].find(e => e.textContent.startsWith(text));
    let el = h ? h.nextElementSibling : null;
    while (el && el.tagName !== 'TABLE') el = el.querySelector('table') || el.nextElementSibling;
    return el ? [...el.querySelectorAll('tbody tr')].map(r => [...r.children].map(c => c.textContent.trim())) : null;
  }, { timeout }, heading);
  return rows.jsonValue();
}

// Waits for the page's h1 to start with `text` (the nav bar repeats page names).
async function waitHeading(text, timeout = 10000) {
  await page.waitForFunction(t => (document.querySelector('h1') || {}).textContent?.startsWith(t), { timeout }, text);
}

async function waitText(text, timeout = 10000) {
  await page.waitForFunction(t => document.body.innerText.includes(t), { timeout }, text);
}

before(async () => {
  await startBroker();
  await api('/api/v1/CreateTopics', { topics: [
    { name: 'orders', num_partitions: 3, configs: [{ name: 'dlq.topic', value: 'orders.dlq' }] },
    { name: 'orders.dlq', num_partitions: 1 }, { name: 'payments', num_partitions: 1 }] });
  for (let i = 0; i < 10; ++i) {
    await api('/api/v1/topics/orders/records', { key: `customer-${i}`, value: JSON.stringify({ order: i, amount: 10 * i }), headers: { source: 'test' } });
  }
  // A consumer group that read 4 records, committed them and left.
  execFileSync(BROOK, ['consume', 'orders', '--group', 'billing', '--count', '4', '--from-beginning', '--timeout-ms', '20000',
    '--bootstrap', ready.native], { stdio: ['ignore', 'ignore', 'inherit'] });
  const reasons = ['timeout', 'timeout', 'bad json'];
  for (let i = 0; i < reasons.length; ++i) {
    await api('/api/v1/topics/orders.dlq/records', { key: `customer-${i}`, value: `{"order":${i}}`, headers: {
      'brook.dlq.topic': 'orders', 'brook.dlq.partition': '0', 'brook.dlq.offset': String(i), 'brook.dlq.timestamp': '1764900000000',
      'brook.dlq.reason': reasons[i], 'brook.dlq.attempts': '3', 'brook.dlq.first-failure-ms': '1764900000000',
      'brook.dlq.last-failure-ms': '1764900001000', 'brook.dlq.group': 'billing' } });
  }
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on('pageerror', err => { throw err; });
});

after(async () => {
  if (browser) await browser.close();
  if (broker) broker.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the overview shows the listeners, counts and disk use', async () => {
  await page.goto(base + '/');
  await page.waitForSelector('[data-card=topics]');
  const card = id => page.$eval(`[data-card=${id}] .value`, e => e.textContent);
  assert.strictEqual(await card('topics'), '3');
  assert.strictEqual(await card('partitions'), '5');
  assert.strictEqual(await card('records'), '13');
  assert.strictEqual(await card('groups'), '1');
  assert.match(await card('disk'), /(KiB|MiB|B)$/);
  const listeners = await tableAfter('Listeners');
  assert.deepStrictEqual(listeners.map(r => r[1]), [ready.native, ready.kafka, ready.http]);
  await shot('overview');
});

test('topics: the list, a topic created in the browser, its partitions and records', async () => {
  await page.goto(base + '/#/topics');
  await waitHeading('Topics (3)');
  const rows = await tableAfter('Topics');
  assert.deepStrictEqual(rows.map(r => [r[0], r[1], r[2]]), [['orders', '3', '10'], ['orders.dlq', '1', '3'], ['payments', '1', '0']]);
  await page.type('input[name=name]', 'made-in-browser');
  await page.$eval('input[name=partitions]', e => { e.value = '2'; });
  await page.type('input[name=configs]', 'retention.ms=3600000');
  await page.click('form button');
  await waitHeading('Topics (4)');
  const created = (await api('/api/v1/Metadata', { topics: ['made-in-browser'] })).topics[0];
  assert.strictEqual(created.partitions.length, 2);
  assert.strictEqual(created.configs.find(c => c.name === 'retention.ms').value, '3600000');
  await shot('topics');

  await page.goto(base + '/#/topics/orders');
  await waitHeading('Topic orders');
  const meta = (await api('/api/v1/Metadata', { topics: ['orders'] })).topics[0];
  const partitions = await tableAfter('Partitions');
  assert.deepStrictEqual(partitions.map(r => r[2]), meta.partitions.map(p => String(p.log_end_offset)));
  // The latest records of partition 0, values pretty-printed.
  await page.waitForFunction(() => document.body.innerText.includes('"amount"'));
  // Produce through the form, then it is the last record shown.
  await page.type('input[name=key]', 'from-browser');
  await page.type('textarea[name=value]', '{"order":99}');
  await page.$eval('input[name=partition]', e => { e.value = '1'; });
  const logEnd = meta.partitions[1].log_end_offset;
  await page.click('form:nth-of-type(2) button');
  await waitText(`produced to partition 1 at offset ${logEnd}`);
  await waitText('from-browser');
  const browsed = await api(`/api/v1/topics/orders/records?partition=1&offset=${logEnd}`);
  assert.strictEqual(browsed.records[0].key, 'from-browser');
  await shot('topic');
});

test('consumer groups: lag as the API reports it, and a reset of the stopped group', async () => {
  const group = (await api('/api/v1/DescribeGroups', { groups: ['billing'] })).groups[0];
  const lag = group.offsets.flatMap(t => t.partitions).reduce((n, p) => n + Math.max(0, p.lag), 0);
  assert.ok(lag > 0);
  await page.goto(base + '/#/groups');
  await waitHeading('Consumer groups (1)');
  const rows = await tableAfter('Consumer groups');
  assert.deepStrictEqual([rows[0][0], rows[0][1], rows[0][4]], ['billing', 'Empty', String(lag)]);

  await page.goto(base + '/#/groups/billing');
  await waitText('state Empty');
  const offsets = await tableAfter('Committed offsets');
  const expected = group.offsets.flatMap(t => t.partitions.map(p => [t.name, String(p.partition), p.lag < 0 ? '-' : String(p.lag)]));
  assert.deepStrictEqual(offsets.map(r => [r[0], r[1], r[4]]), expected);
  await shot('group');
  await page.select('select[name=to]', '-2');
  const [dryRun, reset] = await page.$$('form button');
  await dryRun.click();
  await waitText('dry run: nothing changed');
  await reset.click();
  await waitText('offsets reset');
  const after = (await api('/api/v1/DescribeGroups', { groups: ['billing'] })).groups[0];
  for (const p of after.offsets.flatMap(t => t.partitions)) assert.strictEqual(p.committed_offset, 0);
  await shot('group-reset');
});

test('dead letters: counts by reason and source, a dry run, then a replay', async () => {
  await page.goto(base + '/#/dead-letters');
  await waitHeading('Dead letters');
  const dlqs = await tableAfter('Dead letters');
  assert.deepStrictEqual(dlqs.map(r => [r[0], r[1], r[2]]), [['orders.dlq', '3', 'orders']]);
  await page.goto(base + '/#/dead-letters/orders.dlq');
  await waitHeading('Dead-letter topic orders.dlq');
  assert.deepStrictEqual(await tableAfter('By reason'), [['timeout', '2'], ['bad json', '1']]);
  assert.deepStrictEqual(await tableAfter('By source topic'), [['orders', '3']]);
  const before = (await api('/api/v1/Metadata', { topics: ['orders'] })).topics[0].partitions[0].log_end_offset;
  await page.select('select[name=reason]', 'timeout');
  const [dryRun, replay] = await page.$$('form button');
  await dryRun.click();
  await waitText('dry run: 2 records, nothing changed');
  assert.strictEqual((await api('/api/v1/Metadata', { topics: ['orders'] })).topics[0].partitions[0].log_end_offset, before);
  await replay.click();
  await waitText('replayed 2 records');
  assert.strictEqual((await api('/api/v1/Metadata', { topics: ['orders'] })).topics[0].partitions[0].log_end_offset, before + 2);
  await shot('dead-letters');
});

test('event store: a stream found by id shows its events and snapshot', async () => {
  await api('/api/v1/EventAppend', { stream: 'account-7', expected_revision: -1, events: [
    { type: 'Opened', data: '{"owner":"ann"}' }, { type: 'Deposited', data: '{"amount":5}' }] });
  await api('/api/v1/EventSnapshotSave', { stream: 'account-7', revision: 1, data: '{"balance":5}' });
  await page.goto(base + '/#/streams');
  await waitHeading('Event store');
  await waitText('account-7');
  assert.deepStrictEqual(await tableAfter('Streams with recent events'), [['account-7']]);
  await page.type('input[name=stream]', 'account-7');
  await page.click('form button');
  await waitHeading('Stream account-7');
  await waitText('last revision 1');
  const events = await tableAfter('Events');
  assert.deepStrictEqual(events.map(r => [r[0], r[2]]), [['1', 'Deposited'], ['0', 'Opened']]);
  await waitText('at revision 1');
  await shot('stream');
});

test('a thousand topics: the topics page renders them all (time printed, not asserted)', async () => {
  const topics = Array.from({ length: 1000 }, (_, i) => ({ name: `bulk-${String(i).padStart(4, '0')}`, num_partitions: 1 }));
  await api('/api/v1/CreateTopics', { topics });
  const total = (await api('/api/v1/Metadata', {})).topics.length;
  assert.ok(total > 1000);
  await page.goto(base + '/#/');
  const start = Date.now();
  await page.goto(base + '/#/topics');
  await waitHeading(`Topics (${total})`);
  const rendered = Date.now() - start;
  assert.strictEqual((await tableAfter('Topics')).length, total);
  console.log(`topics page with ${total} topics rendered in ${rendered} ms`);
  await shot('topics-1000');
});
