// brook's web console: a single-page app over the broker's HTTP API (docs/http-api.md).
// Pages are hash routes (#/topics/orders); every value from the broker is inserted as text
// (never as HTML). Nothing is fetched from anywhere but this broker.
'use strict';

const page = document.getElementById('page');
let timers = [];  // Pollers of the page on screen, stopped when it changes.

// ---- helpers --------------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function table(headers, rows, numeric = []) {
  return h('table', {},
    h('thead', {}, h('tr', {}, headers.map((t, i) => h('th', { class: numeric.includes(i) ? 'num' : null }, t)))),
    h('tbody', {}, rows.length ? rows.map(r => h('tr', {}, r.map((c, i) =>
      h('td', { class: numeric.includes(i) ? 'num' : null }, c))))
      : h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, 'none'))));
}

async function api(path, body) {
  const init = body === undefined ? {} : { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
  const response = await fetch(path, init);
  const json = await response.json();
  if (!response.ok) throw new Error(`${json.error}: ${json.message}`);
  return json;
}
const call = (name, body = {}) => api(`/api/v1/${name}`, body);

function toast(text, bad = false) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.style.background = bad ? '#b42318' : '#141a26';
  t.style.display = 'block';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.style.display = 'none'; }, 4000);
}

function errorsIn(results) {  // Per-item errors of an answer: [{name, error_code, error_message}]
  return results.filter(r => r.error_code && r.error_code !== 'NONE')
    .map(r => `${r.name ?? ''} ${r.error_code}${r.error_message ? ': ' + r.error_message : ''}`);
}

const fmtNumber = n => Number(n).toLocaleString('en-US');
const fmtTime = ms => (ms > 0 ? new Date(ms).toISOString().replace('T', ' ').replace('Z', '') : '-');
function fmtBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; ++i; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
function fmtDuration(ms) {
  const s = Math.floor(ms / 1000);
  return s >= 86400 ? `${Math.floor(s / 86400)}d ${Math.floor(s % 86400 / 3600)}h`
    : s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor(s % 3600 / 60)}m`
    : s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

// Bytes from the API: a string (UTF-8 text) or {"base64": ...}. JSON text is pretty-printed,
// binary shown as hex.
function showBytes(v) {
  if (v === null || v === undefined) return h('span', { class: 'muted' }, 'null');
  if (typeof v === 'object') {
    const raw = atob(v.base64);
    const hex = Array.from(raw, c => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ');
    return h('pre', { title: 'binary, shown as hex' }, `hex: ${hex}`);
  }
  try {
    const parsed = JSON.parse(v);
    if (typeof parsed === 'object' && parsed !== null) return h('pre', {}, JSON.stringify(parsed, null, 2));
  } catch (e) { /* not JSON */ }
  return h('pre', {}, v);
}

function parseKeyValues(text) {  // "a=1, b=2" -> [["a","1"],["b","2"]]
  return text.split(',').map(s => s.trim()).filter(Boolean).map(s => {
    const i = s.indexOf('=');
    if (i < 1) throw new Error(`"${s}" is not KEY=VALUE`);
    return [s.slice(0, i).trim(), s.slice(i + 1).trim()];
  });
}

function chart(points, label) {  // points: [[t, v]], drawn as a line over the last minutes.
  const w = 560, hgt = 120;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('width', w); svg.setAttribute('height', hgt);
  svg.setAttribute('aria-label', label);
  if (points.length > 1) {
    const t0 = points[0][0], t1 = points[points.length - 1][0];
    const max = Math.max(1, ...points.map(p => p[1]));
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
    line.setAttribute('points', points.map(([t, v]) =>
      `${((t - t0) / Math.max(1, t1 - t0) * (w - 10) + 5).toFixed(1)},${(hgt - 5 - v / max * (hgt - 20)).toFixed(1)}`).join(' '));
    svg.append(line);
    const top = document.createElementNS('http://www.w3.org/2000/svg', 'text');
    top.setAttribute('x', 6); top.setAttribute('y', 12); top.setAttribute('font-size', 11);
    top.textContent = `max ${max.toFixed(1)}`;
    svg.append(top);
  }
  return h('div', {}, h('div', { class: 'muted' }, label), svg);
}

function poll(fn, ms) { fn(); timers.push(setInterval(fn, ms)); }

// ---- overview -------------------------------------------------------------------------------

const rates = { samples: [] };  // [{t, produced, committed}], kept across pages (last 5 min).

async function overviewSample() {
  const o = await api('/api/v1/overview');
  rates.samples.push({ t: Date.now(), produced: o.log_end_total, committed: o.committed_total });
  while (rates.samples.length && rates.samples[0].t < Date.now() - 5 * 60 * 1000) rates.samples.shift();
  return o;
}

function rateSeries(field) {
  const s = rates.samples, out = [];
  for (let i = 1; i < s.length; ++i) {
    out.push([s[i].t, Math.max(0, (s[i][field] - s[i - 1][field]) / ((s[i].t - s[i - 1].t) / 1000))]);
  }
  return out;
}

async function overviewPage() {
  const body = h('div', {});
  page.replaceChildren(h('h1', {}, 'Overview'), body);
  poll(async () => {
    const o = await overviewSample();
    const card = (label, value, id) => h('div', { class: 'card', 'data-card': id }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));
    body.replaceChildren(
      h('div', { class: 'cards' },
        card('Version', o.version, 'version'),
        card('Uptime', fmtDuration(o.uptime_ms), 'uptime'),
        card('Topics', fmtNumber(o.topics), 'topics'),
        card('Partitions', fmtNumber(o.partitions), 'partitions'),
        card('Records stored', fmtNumber(o.records), 'records'),
        card('Consumer groups', fmtNumber(o.groups), 'groups'),
        card('Disk', o.data_dir ? fmtBytes(o.disk_bytes) : 'in memory', 'disk')),
      h('h2', {}, 'Listeners'),
      table(['protocol', 'address'], [['brook', o.listeners.native], ['Kafka', o.listeners.kafka || 'off'], ['HTTP', o.listeners.http]]),
      h('p', { class: 'muted' }, o.data_dir ? `data dir: ${o.data_dir}` : 'everything in memory'),
      h('h2', {}, 'Rates (last 5 minutes)'),
      h('div', { class: 'cards' },
        chart(rateSeries('produced'), 'produced records/s'),
        chart(rateSeries('committed'), 'consumed (committed) records/s')));
  }, 2000);
}

// ---- topics ---------------------------------------------------------------------------------

function configOf(topic, name) { return (topic.configs.find(c => c.name === name) || {}).value; }

async function topicsPage() {
  const meta = await call('Metadata', {});
  const topics = meta.topics.sort((a, b) => a.name.localeCompare(b.name));
  const rows = topics.map(t => {
    const records = t.partitions.reduce((n, p) => n + p.log_end_offset - p.log_start_offset, 0);
    return [h('a', { href: `#/topics/${encodeURIComponent(t.name)}` }, t.name), t.partitions.length,
      fmtNumber(records), configOf(t, 'cleanup.policy'), configOf(t, 'retention.ms'),
      h('button', { class: 'danger', onclick: () => deleteTopic(t.name) }, 'Delete')];
  });
  const name = h('input', { name: 'name', required: true, placeholder: 'orders' });
  const partitions = h('input', { name: 'partitions', type: 'number', min: 1, value: 1 });
  const configs = h('input', { name: 'configs', placeholder: 'retention.ms=3600000, cleanup.policy=compact', size: 40 });
  const form = h('form', { class: 'inline', onsubmit: async e => {
    e.preventDefault();
    try {
      const answer = await call('CreateTopics', { topics: [{ name: name.value, num_partitions: Number(partitions.value),
        configs: parseKeyValues(configs.value).map(([n, v]) => ({ name: n, value: v })) }] });
      const errors = errorsIn(answer.topics);
      if (errors.length) throw new Error(errors.join('; '));
      toast(`created topic ${name.value}`);
      route();
    } catch (err) { toast(err.message, true); }
  } }, h('label', {}, 'name', name), h('label', {}, 'partitions', partitions), h('label', {}, 'configs', configs), h('button', {}, 'Create topic'));
  page.replaceChildren(h('h1', {}, `Topics (${topics.length})`), form,
    table(['topic', 'partitions', 'records', 'cleanup.policy', 'retention.ms', ''], rows, [1, 2]));
}

async function deleteTopic(name) {
  if (!confirm(`Delete topic ${name} and all its records?`)) return;
  try {
    const answer = await call('DeleteTopics', { topics: [name] });
    const errors = errorsIn(answer.topics);
    if (errors.length) throw new Error(errors.join('; '));
    toast(`deleted topic ${name}`);
    route();
  } catch (err) { toast(err.message, true); }
}

async function topicPage(name) {
  const meta = await call('Metadata', { topics: [name] });
  const topic = meta.topics[0];
  if (!topic || topic.error_code !== 'NONE') throw new Error(`topic ${name}: ${topic ? topic.error_code : 'not found'}`);
  const partitions = table(['partition', 'log start', 'log end', 'records'],
    topic.partitions.map(p => [p.partition, fmtNumber(p.log_start_offset), fmtNumber(p.log_end_offset),
      fmtNumber(p.log_end_offset - p.log_start_offset)]), [0, 1, 2, 3]);

  const configRows = topic.configs.map(c => {
    const input = h('input', { value: c.value, 'data-config': c.name, size: 24 });
    const save = async value => {
      try {
        const answer = await call('AlterConfigs', { topics: [{ name, configs: [{ name: c.name, value }] }] });
        const errors = errorsIn(answer.topics);
        if (errors.length) throw new Error(errors.join('; '));
        toast(value === null ? `${c.name} back to its default` : `${c.name} = ${value}`);
        route();
      } catch (err) { toast(err.message, true); }
    };
    return [c.name, input, h('span', {}, h('button', { class: 'secondary', onclick: () => save(input.value) }, 'Save'), ' ',
      h('button', { class: 'secondary', onclick: () => save(null) }, 'Default'))];
  });

  const partitionSelect = h('select', { name: 'partition' }, topic.partitions.map(p => h('option', { value: p.partition }, `partition ${p.partition}`)));
  const mode = h('select', { name: 'mode' }, h('option', { value: 'end' }, 'latest'), h('option', { value: 'offset' }, 'from offset'),
    h('option', { value: 'timestamp' }, 'from time (ISO or ms)'), h('option', { value: 'beginning' }, 'from beginning'));
  const from = h('input', { name: 'from', placeholder: 'offset or time', size: 22 });
  const records = h('div', {});
  let next = null;
  const browse = async (startAt) => {
    let query = `partition=${partitionSelect.value}&limit=50`;
    if (startAt !== undefined) query += `&offset=${startAt}`;
    else if (mode.value === 'end') query += '&from=end';
    else if (mode.value === 'offset') query += `&offset=${encodeURIComponent(from.value)}`;
    else if (mode.value === 'timestamp') {
      const ms = /^\d+$/.test(from.value) ? Number(from.value) : Date.parse(from.value);
      if (Number.isNaN(ms)) { toast(`"${from.value}" is not a time`, true); return; }
      query += `&timestamp=${ms}`;
    }
    try {
      const answer = await api(`/api/v1/topics/${encodeURIComponent(name)}/records?${query}`);
      next = answer.next_offset < answer.log_end ? answer.next_offset : null;
      records.replaceChildren(
        h('p', { class: 'muted' }, `${answer.records.length} records; partition holds offsets ${answer.log_start} to ${answer.log_end - 1}`),
        table(['offset', 'timestamp', 'key', 'value', 'headers'], answer.records.map(r => [r.offset, fmtTime(r.timestamp),
          showBytes(r.key), showBytes(r.value),
          h('pre', {}, r.headers.map(x => `${typeof x.key === 'string' ? x.key : '(binary)'}=${typeof x.value === 'string' ? x.value : (x.value === null ? 'null' : '(binary)')}`).join('\n'))]), [0]),
        ...(next !== null ? [h('button', { class: 'secondary', onclick: () => browse(next) }, 'Next records')] : []));
    } catch (err) { toast(err.message, true); }
  };
  const browseForm = h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); browse(); } },
    h('label', {}, 'partition', partitionSelect), h('label', {}, 'start', mode), h('label', {}, 'at', from), h('button', {}, 'Browse'));

  const key = h('input', { name: 'key', size: 16 });
  const value = h('textarea', { name: 'value', rows: 2, cols: 40 });
  const headers = h('input', { name: 'headers', placeholder: 'source=console', size: 20 });
  const producePartition = h('input', { name: 'partition', type: 'number', min: 0, placeholder: 'by key', size: 6 });
  const produceForm = h('form', { class: 'inline', onsubmit: async e => {
    e.preventDefault();
    try {
      const body = { value: value.value, headers: Object.fromEntries(parseKeyValues(headers.value)) };
      if (key.value) body.key = key.value;
      if (producePartition.value !== '') body.partition = Number(producePartition.value);
      const answer = await api(`/api/v1/topics/${encodeURIComponent(name)}/records`, body);
      toast(`produced to partition ${answer.partition} at offset ${answer.offset}`);
      partitionSelect.value = String(answer.partition);
      mode.value = 'end';
      browse();
    } catch (err) { toast(err.message, true); }
  } }, h('label', {}, 'key', key), h('label', {}, 'value', value), h('label', {}, 'headers', headers),
    h('label', {}, 'partition', producePartition), h('button', {}, 'Produce'));

  page.replaceChildren(h('h1', {}, `Topic ${name}`), h('h2', {}, 'Partitions'), partitions,
    h('h2', {}, 'Records'), browseForm, records, h('h2', {}, 'Produce a record'), produceForm,
    h('h2', {}, 'Configs'), table(['config', 'value', ''], configRows));
  browse();
}

// ---- consumer groups ------------------------------------------------------------------------

function totalLag(group) {
  let lag = 0;
  for (const t of group.offsets) for (const p of t.partitions) if (p.lag > 0) lag += p.lag;
  return lag;
}

async function groupsPage() {
  const list = await call('ListGroups', {});
  const ids = list.groups.map(g => g.group_id).sort();
  const described = ids.length ? (await call('DescribeGroups', { groups: ids })).groups : [];
  page.replaceChildren(h('h1', {}, `Consumer groups (${ids.length})`),
    table(['group', 'state', 'members', 'assignor', 'lag (records)'], described.map(g => [
      h('a', { href: `#/groups/${encodeURIComponent(g.group_id)}` }, g.group_id), g.state, g.members.length,
      g.assignor || '-', fmtNumber(totalLag(g))]), [2, 4]));
}

const lagHistory = {};  // group -> [[t, lag]]

async function groupPage(id) {
  const header = h('div', {}), members = h('div', {}), offsets = h('div', {}), lagChart = h('div', {});
  const reset = h('div', {});
  page.replaceChildren(h('h1', {}, `Consumer group ${id}`), header, h('h2', {}, 'Members'), members,
    h('h2', {}, 'Committed offsets and lag'), offsets, lagChart, h('h2', {}, 'Reset offsets'), reset);
  let resetDrawn = false;
  poll(async () => {
    const g = (await call('DescribeGroups', { groups: [id] })).groups[0];
    if (g.error_code !== 'NONE') { header.replaceChildren(h('p', { class: 'error' }, `${g.error_code}: no such group`)); return; }
    header.replaceChildren(h('p', {}, `state ${g.state} · generation ${g.generation_id} · assignor ${g.assignor || '-'}`));
    members.replaceChildren(table(['member', 'client id', 'host', 'assignment'], g.members.map(m => [m.member_id, m.client_id, m.client_host,
      m.assignment.map(a => `${a.name}: ${a.partitions.join(', ')}`).join('; ')])));
    const rows = [];
    for (const t of g.offsets) for (const p of t.partitions) {
      rows.push([t.name, p.partition, p.committed_offset < 0 ? '-' : fmtNumber(p.committed_offset), fmtNumber(p.log_end_offset), p.lag < 0 ? '-' : fmtNumber(p.lag)]);
    }
    offsets.replaceChildren(table(['topic', 'partition', 'committed', 'log end', 'lag'], rows, [1, 2, 3, 4]));
    const history = lagHistory[id] = (lagHistory[id] || []).concat([[Date.now(), totalLag(g)]]).filter(p => p[0] > Date.now() - 5 * 60 * 1000);
    lagChart.replaceChildren(chart(history, 'lag (records) over the last minutes'));
    if (!resetDrawn) { resetDrawn = true; reset.replaceChildren(resetForm(id, g)); }
  }, 2000);
}

function resetForm(id, group) {
  const topics = group.offsets.map(t => t.name);
  const topic = h('select', { name: 'topic' }, topics.map(t => h('option', { value: t }, t)));
  const to = h('select', { name: 'to' }, h('option', { value: '-2' }, 'earliest'), h('option', { value: '-1' }, 'latest'), h('option', { value: 'offset' }, 'offset'));
  const offset = h('input', { name: 'offset', type: 'number', min: 0, size: 8 });
  const result = h('div', {});
  const plan = async () => {
    const meta = (await call('Metadata', { topics: [topic.value] })).topics[0];
    let targets;
    if (to.value === 'offset') targets = meta.partitions.map(p => ({ partition: p.partition, offset: Number(offset.value) }));
    else {
      const listed = await call('ListOffsets', { topics: [{ name: topic.value, partitions: meta.partitions.map(p => ({ partition: p.partition, timestamp: Number(to.value) })) }] });
      targets = listed.topics[0].partitions.map(p => ({ partition: p.partition, offset: p.offset }));
    }
    return targets;
  };
  const show = (targets, applied) => {
    const current = {};
    for (const t of group.offsets) if (t.name === topic.value) for (const p of t.partitions) current[p.partition] = p.committed_offset;
    result.replaceChildren(h('p', { class: applied ? 'ok' : 'muted' }, applied ? 'offsets reset' : 'dry run: nothing changed'),
      table(['partition', 'old', 'new'], targets.map(t => [t.partition, current[t.partition] >= 0 ? current[t.partition] : '-', t.offset]), [0, 1, 2]));
  };
  if (!topics.length) return h('p', { class: 'muted' }, 'the group has no committed offsets to reset');
  return h('div', {},
    h('p', { class: 'muted' }, 'Only a group without live members can be reset (stop its consumers first).'),
    h('form', { class: 'inline', onsubmit: e => e.preventDefault() }, h('label', {}, 'topic', topic), h('label', {}, 'to', to), h('label', {}, 'offset', offset),
      h('button', { class: 'secondary', onclick: async () => { try { show(await plan(), false); } catch (err) { toast(err.message, true); } } }, 'Dry run'),
      h('button', { class: 'danger', onclick: async () => {
        try {
          const targets = await plan();
          const answer = await call('OffsetCommit', { group_id: id, generation_id: -1, member_id: '', topics: [{ name: topic.value, partitions: targets }] });
          const errors = answer.topics.flatMap(t => errorsIn(t.partitions.map(p => ({ ...p, name: `${t.name}-${p.partition}` }))));
          if (errors.length) throw new Error(errors.join('; '));
          show(targets, true);
          toast(`reset ${id} on ${topic.value}`);
        } catch (err) { toast(err.message, true); }
      } }, 'Reset')),
    result);
}

// ---- dead letters ---------------------------------------------------------------------------

const DLQ_NAME = /([.\-_](dlq|DLQ|DLT|dlt))$|^connect-dlq/;

async function deadLettersPage() {
  const meta = await call('Metadata', {});
  const named = new Set(meta.topics.map(t => configOf(t, 'dlq.topic')).filter(Boolean));
  const dlqs = meta.topics.filter(t => named.has(t.name) || DLQ_NAME.test(t.name)).sort((a, b) => a.name.localeCompare(b.name));
  const sources = name => meta.topics.filter(t => configOf(t, 'dlq.topic') === name).map(t => t.name).join(', ') || '-';
  const stats = await call('DeadLetterStats', { topics: null });
  page.replaceChildren(h('h1', {}, 'Dead letters'),
    table(['dead-letter topic', 'records', 'dead letters of'], dlqs.map(t => [
      h('a', { href: `#/dead-letters/${encodeURIComponent(t.name)}` }, t.name),
      fmtNumber(t.partitions.reduce((n, p) => n + p.log_end_offset - p.log_start_offset, 0)), sources(t.name)]), [1]),
    h('h2', {}, 'Per source topic and group'),
    table(['source topic', 'group', 'dead-lettered', 'replayed'], stats.counters.map(c => [c.topic, c.group_id, fmtNumber(c.dead_lettered), fmtNumber(c.replayed)]), [2, 3]));
}

async function deadLetterPage(name) {
  const meta = (await call('Metadata', { topics: [name] })).topics[0];
  if (!meta || meta.error_code !== 'NONE') throw new Error(`topic ${name}: not found`);
  const all = [];
  for (const p of meta.partitions) {
    const answer = await api(`/api/v1/topics/${encodeURIComponent(name)}/records?partition=${p.partition}&from=end&limit=500`);
    for (const r of answer.records) all.push({ ...r, partition: p.partition });
  }
  const count = key => {
    const counts = {};
    for (const r of all) { const k = key(r); counts[k] = (counts[k] || 0) + 1; }
    return Object.entries(counts).sort((a, b) => b[1] - a[1]);
  };
  const reasonOf = r => (r.dead_letter ? r.dead_letter.reason || '(none)' : '(unknown)');
  const sourceOf = r => (r.dead_letter ? r.dead_letter.topic || '(unknown)' : '(unknown)');
  const reasonFilter = h('select', { name: 'reason' }, h('option', { value: '' }, 'any reason'), count(reasonOf).map(([k]) => h('option', { value: k }, k)));
  const sourceFilter = h('select', { name: 'source' }, h('option', { value: '' }, 'any source'), count(sourceOf).map(([k]) => h('option', { value: k }, k)));
  const list = h('div', {}), result = h('div', {});
  const selected = () => all.filter(r => (!reasonFilter.value || reasonOf(r) === reasonFilter.value) && (!sourceFilter.value || sourceOf(r) === sourceFilter.value));
  const draw = () => list.replaceChildren(table(['partition', 'offset', 'source', 'reason', 'attempts', 'group', 'failed at', 'value'],
    selected().map(r => [r.partition, r.offset, r.dead_letter ? `${r.dead_letter.topic}-${r.dead_letter.partition}@${r.dead_letter.offset}` : '-',
      reasonOf(r), r.dead_letter ? r.dead_letter.attempts : '-', r.dead_letter ? r.dead_letter.group || '-' : '-',
      r.dead_letter ? fmtTime(r.dead_letter.last_failure_ms) : '-', showBytes(r.value)]), [0, 1, 4]));
  reasonFilter.addEventListener('change', draw);
  sourceFilter.addEventListener('change', draw);
  const replay = async dryRun => {
    const byPartition = {};
    for (const r of selected()) (byPartition[r.partition] = byPartition[r.partition] || []).push(r.offset);
    const rows = [];
    try {
      for (const [partition, offsets] of Object.entries(byPartition)) {
        const answer = await call('ReplayDeadLetters', { dlq_topic: name, partition: Number(partition), offsets, dry_run: dryRun });
        for (const r of answer.records) {
          rows.push([partition, r.offset, r.error_code === 'NONE' ? `${r.topic}-${r.partition}` : r.error_code,
            r.already_replayed ? 'already replayed' : (dryRun ? 'would replay' : `replayed at ${r.replayed_offset}`)]);
        }
      }
      result.replaceChildren(h('p', { class: dryRun ? 'muted' : 'ok' }, dryRun ? `dry run: ${rows.length} records, nothing changed` : `replayed ${rows.length} records`),
        table(['partition', 'offset', 'to', 'outcome'], rows, [0, 1]));
      if (!dryRun) toast(`replayed ${rows.length} records`);
    } catch (err) { toast(err.message, true); }
  };
  page.replaceChildren(h('h1', {}, `Dead-letter topic ${name}`),
    h('p', { class: 'muted' }, `${all.length} most recent records (up to 500 per partition)`),
    h('div', { class: 'cards' },
      h('div', {}, h('h2', {}, 'By reason'), table(['reason', 'records'], count(reasonOf), [1])),
      h('div', {}, h('h2', {}, 'By source topic'), table(['source topic', 'records'], count(sourceOf), [1]))),
    h('h2', {}, 'Records'), h('form', { class: 'inline', onsubmit: e => e.preventDefault() },
      h('label', {}, 'reason', reasonFilter), h('label', {}, 'source', sourceFilter),
      h('button', { class: 'secondary', onclick: () => replay(true) }, 'Dry run replay'),
      h('button', { onclick: () => replay(false) }, 'Replay')),
    result, list);
  draw();
}

// ---- event store ----------------------------------------------------------------------------

async function streamsPage(store, stream) {
  const storeInput = h('input', { name: 'store', value: store || 'events', size: 14 });
  const streamInput = h('input', { name: 'stream', value: stream || '', placeholder: 'account-1', size: 24 });
  const form = h('form', { class: 'inline', onsubmit: e => {
    e.preventDefault();
    location.hash = `#/streams/${encodeURIComponent(storeInput.value)}/${encodeURIComponent(streamInput.value)}`;
  } }, h('label', {}, 'store', storeInput), h('label', {}, 'stream', streamInput), h('button', {}, 'Find stream'));
  const body = h('div', {});
  page.replaceChildren(h('h1', {}, stream ? `Stream ${stream}` : 'Event store'), form, body);
  const eventsTable = events => table(['revision', 'position', 'type', 'id', 'appended', 'data'],
    events.map(e => [e.revision, e.position, e.type, h('code', {}, e.id), fmtTime(e.timestamp_ms), showBytes(e.data)]), [0, 1]);
  if (!stream) {  // The latest events of every stream.
    try {
      const head = (await call('EventRead', { store: storeInput.value, stream: '$all', limit: 1 })).head;
      const latest = await call('EventRead', { store: storeInput.value, stream: '$all', from: Math.max(0, head - 49), limit: 50 });
      const streams = [...new Set(latest.events.map(e => e.stream))];
      body.replaceChildren(h('h2', {}, 'Streams with recent events'),
        table(['stream'], streams.map(st => [h('a', { href: `#/streams/${encodeURIComponent(storeInput.value)}/${encodeURIComponent(st)}` }, st)])),
        h('h2', {}, `Latest events ($all, up to position ${head})`),
        table(['position', 'stream', 'revision', 'type', 'appended'], latest.events.reverse().map(e => [e.position, e.stream, e.revision, e.type, fmtTime(e.timestamp_ms)]), [0, 2]));
    } catch (err) { body.replaceChildren(h('p', { class: 'muted' }, err.message)); }
    return;
  }
  const read = await call('EventRead', { store: storeInput.value, stream, from: -1, backwards: true, limit: 100 });
  const snapshot = await call('EventSnapshotLoad', { store: storeInput.value, stream, limit: 1 });
  body.replaceChildren(
    h('p', {}, `last revision ${read.head}`),
    h('h2', {}, 'Snapshot'),
    snapshot.found ? h('div', {}, h('p', {}, `at revision ${snapshot.revision}`), showBytes(snapshot.data))
      : h('p', { class: 'muted' }, 'no snapshot'),
    h('h2', {}, `Events (latest ${read.events.length})`), eventsTable(read.events));
}

// ---- routing --------------------------------------------------------------------------------

async function route() {
  for (const t of timers) clearInterval(t);
  timers = [];
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === (parts[0] || 'overview'));
  try {
    if (!parts[0]) await overviewPage();
    else if (parts[0] === 'topics' && parts[1]) await topicPage(parts[1]);
    else if (parts[0] === 'topics') await topicsPage();
    else if (parts[0] === 'groups' && parts[1]) await groupPage(parts[1]);
    else if (parts[0] === 'groups') await groupsPage();
    else if (parts[0] === 'dead-letters' && parts[1]) await deadLetterPage(parts[1]);
    else if (parts[0] === 'dead-letters') await deadLettersPage();
    else if (parts[0] === 'streams') await streamsPage(parts[1], parts[2]);
    else page.replaceChildren(h('p', { class: 'error' }, `no page ${location.hash}`));
  } catch (err) {
    page.replaceChildren(h('p', { class: 'error' }, err.message));
  }
}

window.addEventListener('hashchange', route);
route();
