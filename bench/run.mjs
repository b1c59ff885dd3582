#!/usr/bin/env node
/**
 * rollgraph's benchmark. `npm run bench` builds, then runs this.
 *
 *   node bench/run.mjs [--quick] [--sizes 10MB,100MB,1GB] [--lines 512,8192] [--runs 3] [--seed 1]
 *                      [--bin bin/rollgraph.js] [--label TEXT] [--no-duckdb] [--skip-history] [--skip-graph]
 *                      [--history-days 90] [--history-services 2000] [--results bench/RESULTS.md]
 *
 * See bench/README.md for what each part measures and what each column means.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATOR_VERSION } from './generate.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH, '..');
const DATA = join(BENCH, 'data');
const TMP = join(DATA, 'tmp');

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const o = {
    sizes: ['10MB', '100MB', '1GB'], lines: [512, 8192], runs: 3, seed: 1, bin: join(ROOT, 'bin', 'rollgraph.js'),
    duckdb: true, history: true, graph: true, historyDays: 90, historyServices: 2000, graphServices: 5000,
    results: join(BENCH, 'RESULTS.md'), quick: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') {
      o.quick = true;
      o.sizes = ['10MB', '100MB'];
      if (!argv.includes('--history-days')) o.historyDays = 30; // a proxy, scaled to 90 days and labelled as such
    }
    else if (a === '--sizes') o.sizes = v().split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    else if (a === '--lines') o.lines = v().split(',').map(Number);
    else if (a === '--runs') o.runs = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--bin') o.bin = resolve(v());
    else if (a === '--label') o.label = v();
    else if (a === '--no-duckdb') o.duckdb = false;
    else if (a === '--skip-history') o.history = false;
    else if (a === '--skip-graph') o.graph = false;
    else if (a === '--history-days') o.historyDays = Number(v());
    else if (a === '--history-services') o.historyServices = Number(v());
    else if (a === '--results') o.results = resolve(v());
    else if (a === '-h' || a === '--help') {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2, 9).map((l) => l.replace(/^ \*\s?/, '')).join('\n') + '\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  for (const n of o.lines) if (![512, 8192].includes(n) && !(n > 0)) throw new Error(`bad --lines ${n}`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const log = (s = '') => process.stdout.write(`${s}\n`);
const fmtS = (s) => (s == null ? '-' : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const fmtMB = (b) => `${(b / 1e6).toFixed(1)} MB`;
const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[a.length >> 1] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};
const sizeBytes = (s) => {
  const m = /^(\d+(?:\.\d+)?)(B|KB|MB|GB)$/i.exec(s);
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 }[m[2].toUpperCase()];
};
function rmStore(db) {
  for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}-journal`]) rmSync(f, { force: true });
}
function storeBytes(db) {
  let n = 0;
  for (const f of [db, `${db}-wal`, `${db}-shm`]) if (existsSync(f)) n += statSync(f).size;
  return n;
}

let gnuTime = null;
function haveGnuTime() {
  if (gnuTime !== null) return gnuTime;
  if (process.env.BENCH_NO_GNU_TIME) return (gnuTime = false); // to try the fallback
  try {
    const out = join(TMP, 'time-probe.txt');
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', out, 'true']);
    gnuTime = r.status === 0 && /^\d+(\.\d+)? \d+\s*$/m.test(readFileSync(out, 'utf8'));
  } catch {
    gnuTime = false;
  }
  return gnuTime;
}

/**
 * Runs one command, process start included. Wall time by the clock of this process; peak RSS
 * (max resident set size of the child, KB) from GNU time when available.
 */
function timed(cmd, args, { stdoutFile = null, cwd = TMP } = {}) {
  return new Promise((done, fail) => {
    const timeFile = join(TMP, `time-${process.pid}.txt`);
    rmSync(timeFile, { force: true });
    const argv = haveGnuTime() ? ['/usr/bin/time', '-f', '%e %M', '-o', timeFile, cmd, ...args] : [cmd, ...args];
    let outFd = 'pipe';
    let fd = null;
    if (stdoutFile) {
      fd = openWrite(stdoutFile);
      outFd = fd;
    }
    const started = performance.now();
    const child = spawn(argv[0], argv.slice(1), { cwd, stdio: ['ignore', outFd, 'pipe'], env: { ...process.env, ROLLGRAPH_DB: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => { if (stdout.length < 1 << 24) stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 1 << 20) stderr += d; });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const wall = (performance.now() - started) / 1000;
      if (fd !== null) closeFd(fd);
      let rss = null;
      if (haveGnuTime() && existsSync(timeFile)) {
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1);
        const m = /^(\d+(?:\.\d+)?) (\d+)$/.exec(last ?? '');
        if (m) rss = Number(m[2]) * 1024;
      }
      done({ wall, rss, code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}
const openWrite = (f) => openSync(f, 'w');
const closeFd = (fd) => closeSync(fd);

async function warmRead(file) {
  // Brings the file into the page cache so the first measured tool does not pay for the disk.
  for await (const _ of createReadStream(file, { highWaterMark: 1 << 22 })); // eslint-disable-line no-unused-vars
}

// ---------------------------------------------------------------------------------------------
// Inputs and truth

function runNode(args, what) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr}`);
  return r.stderr.trim();
}

function ensureInput(size, lines, seed) {
  const file = join(DATA, `otlp-${size}-${lines}-seed${seed}-g${GENERATOR_VERSION}.jsonl`);
  const truthFile = `${file}.truth.json`;
  if (existsSync(file) && existsSync(truthFile)) {
    const t = JSON.parse(readFileSync(truthFile, 'utf8'));
    if (t.generator === GENERATOR_VERSION && t.bytes === statSync(file).size) return { file, truth: t, cached: true };
  }
  log(`  generating ${relative(ROOT, file)} ...`);
  const msg = runNode([join(BENCH, 'generate.mjs'), '--out', file, '--size', size, '--spans-per-line', String(lines), '--seed', String(seed)], 'generate');
  log(`  ${msg}`);
  return { file, truth: JSON.parse(readFileSync(truthFile, 'utf8')), cached: false };
}

const edgeKey = (e) => `${e.from} -> ${e.to} [${e.type}]`;

/** Compares derived edges with the truth: set of (from, to, type), calls and errors per edge. */
function compareEdges(truthEdges, got) {
  const want = new Map(truthEdges.map((e) => [edgeKey(e), e]));
  const have = new Map();
  for (const e of got) have.set(edgeKey(e), e);
  const problems = [];
  for (const [k, e] of want) {
    const x = have.get(k);
    if (!x) problems.push(`missing ${k} (${e.calls} calls)`);
    else if (x.calls !== e.calls) problems.push(`${k}: ${x.calls} calls, truth ${e.calls}`);
    else if (x.errors !== undefined && x.errors !== e.errors) problems.push(`${k}: ${x.errors} errors, truth ${e.errors}`);
  }
  for (const [k, x] of have) if (!want.has(k)) problems.push(`extra ${k} (${x.calls} calls)`);
  return problems;
}

function summaryNotes(stderr) {
  // rollgraph's summary: anything that says spans were not paired within the window.
  const notes = [];
  const grab = (re) => {
    const m = re.exec(stderr);
    return m ? Number(m[1].replace(/,/g, '')) : 0;
  };
  const missing = grab(/([\d,]+) spans? with a missing parent/);
  if (missing) notes.push(`${missing} spans with a missing parent`);
  const early = grab(/([\d,]+) traces? finalised early/);
  if (early) notes.push(`${early} traces finalised early`);
  const late = grab(/([\d,]+) (?:late spans|spans? (?:that )?arrived after)/);
  if (late) notes.push(`${late} late spans`);
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Main benchmark: P, rollgraph export / ingest / nightly, DuckDB peer

const failures = []; // truth mismatches and failed commands: exit 1
const notices = [];

async function benchInput(o, size, lines, peer) {
  const { file, truth, cached } = ensureInput(size, lines, o.seed);
  const label = `${size}, ${lines}-span lines`;
  log(`\n## ${label}: ${relative(ROOT, file)}${cached ? ' (cached)' : ''}`);
  log(`   ${truth.bytes.toLocaleString('en-US')} bytes, ${truth.spans.toLocaleString('en-US')} spans (${Math.round(truth.bytes / truth.spans)} B/span), ${truth.lines} lines, ${truth.traces.toLocaleString('en-US')} traces, ${truth.edgeCount} edges, ${truth.callCount.toLocaleString('en-US')} calls`);
  await warmRead(file);
  const r1Truth = truth.edges.filter((e) => e.rule === 'R1');
  const db1 = join(TMP, 'ingest.db');
  const db2 = join(TMP, 'nightly.db');
  const exportOut = join(TMP, 'export.json');
  const tools = [
    { id: 'split', label: 'read + split lines', cmd: process.execPath, args: [join(BENCH, 'limit-p.mjs'), file, '--split-only'] },
    { id: 'P', label: 'P: JSON.parse every line', cmd: process.execPath, args: [join(BENCH, 'limit-p.mjs'), file] },
    { id: 'export', label: 'rollgraph export --format json', cmd: process.execPath, args: [o.bin, 'export', '--input', file, '--format', 'json'], stdoutFile: exportOut },
    { id: 'ingest', label: 'rollgraph ingest', cmd: process.execPath, args: [o.bin, '--db', db1, 'ingest', file], before: () => rmStore(db1) },
    { id: 'nightly', label: 'rollgraph nightly', cmd: process.execPath, args: [o.bin, '--db', db2, 'nightly', file], before: () => rmStore(db2), okCodes: [0, 1] },
  ];
  if (peer) tools.push({ id: 'duckdb', label: 'DuckDB peer (R1)', cmd: process.execPath, args: [join(BENCH, 'duckdb-peer.mjs'), file] });
  const results = Object.fromEntries(tools.map((t) => [t.id, { ...t, runs: [] }]));
  for (let run = 1; run <= o.runs; run++) {
    for (const t of tools) {
      if (results[t.id].skipped) continue;
      t.before?.();
      const r = await timed(t.cmd, t.args, { stdoutFile: t.stdoutFile });
      const okCodes = t.okCodes ?? [0];
      if (t.id === 'duckdb' && r.code === 3) {
        results.duckdb.skipped = true;
        notices.push(`DuckDB peer skipped: @duckdb/node-api could not be loaded (${r.stderr.trim()})`);
        log(`   duckdb: skipped (${r.stderr.trim()})`);
        continue;
      }
      const res = results[t.id];
      res.runs.push(r);
      let check = '';
      if (!okCodes.includes(r.code)) {
        failures.push(`${label}: ${t.label} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        res.bad = true;
        check = `FAILED (exit ${r.code})`;
      } else if (t.id === 'P') {
        const m = /spans=(\d+)/.exec(r.stdout);
        check = m && Number(m[1]) === truth.spans ? 'spans ok' : `SPAN COUNT ${m?.[1]} != ${truth.spans}`;
        if (!check.endsWith('ok')) failures.push(`${label}: P counted ${m?.[1]} spans, truth ${truth.spans}`);
      } else if (t.id === 'export') {
        let problems;
        try {
          problems = compareEdges(truth.edges, JSON.parse(readFileSync(exportOut, 'utf8')).edges);
        } catch (e) {
          problems = [`unreadable output: ${e.message}`];
        }
        check = problems.length === 0 ? `edges = truth (${truth.edgeCount})` : `MISMATCH: ${problems.length} edges differ`;
        if (problems.length) {
          failures.push(`${label}: export run ${run}: ${problems.length} edges differ from truth: ${problems.slice(0, 8).join('; ')}`);
          res.bad = true;
        }
        const notes = summaryNotes(r.stderr);
        if (notes.length) check += ` (${notes.join(', ')})`;
      } else if ((t.id === 'ingest' || t.id === 'nightly') && run === 1) {
        // The store's graph must be the truth too (checked once per input, not timed).
        const db = t.id === 'ingest' ? db1 : db2;
        const v = await timed(process.execPath, [o.bin, '--db', db, 'export', '--format', 'json'], { stdoutFile: exportOut });
        let problems;
        try {
          problems = v.code === 0 ? compareEdges(truth.edges, JSON.parse(readFileSync(exportOut, 'utf8')).edges) : [`export from the store exited ${v.code}: ${v.stderr.trim()}`];
        } catch (e) {
          problems = [`unreadable output: ${e.message}`];
        }
        check = problems.length === 0 ? `store edges = truth, store ${fmtMB(storeBytes(db))}` : `MISMATCH: ${problems.length} edges differ`;
        if (problems.length) {
          failures.push(`${label}: ${t.id} store: ${problems.length} edges differ from truth: ${problems.slice(0, 8).join('; ')}`);
          res.bad = true;
        }
      } else if (t.id === 'duckdb') {
        let problems;
        try {
          problems = compareEdges(r1Truth, JSON.parse(r.stdout));
        } catch (e) {
          problems = [`unreadable output: ${e.message}`];
        }
        check = problems.length === 0 ? `R1 edges = truth (${r1Truth.length})` : `peer differs from truth's R1 edges: ${problems.length}`;
        if (problems.length && run === 1) notices.push(`${label}: the DuckDB peer's R1 edges differ from truth: ${problems.slice(0, 5).join('; ')}`);
      }
      log(`   run ${run}  ${t.label.padEnd(32)} ${fmtS(r.wall).padStart(9)}  ${r.rss ? fmtMB(r.rss).padStart(9) : '   RSS n/a'}  ${check}`);
    }
  }
  return { size, lines, label, truth, results };
}

function stats(res) {
  if (!res || res.skipped || res.runs.length === 0) return null;
  const walls = res.runs.map((r) => r.wall);
  const rss = res.runs.map((r) => r.rss).filter((x) => x != null);
  return { med: median(walls), min: Math.min(...walls), max: Math.max(...walls), rss: rss.length ? Math.max(...rss) : null, n: walls.length };
}

// ---------------------------------------------------------------------------------------------
// 90 days of history for 2,000 services: store size

async function benchHistory(o) {
  const days = o.historyDays;
  const db = join(TMP, 'history.db');
  rmStore(db);
  log(`\n## History: ${days} daily runs of ${o.historyServices.toLocaleString('en-US')} services into one store`);
  const walls = [];
  const rss = [];
  let spans = 0;
  let bytes = 0;
  let edges = 0;
  const started = performance.now();
  for (let d = 0; d < days; d++) {
    const file = join(TMP, `day-${String(d).padStart(2, '0')}.jsonl`);
    runNode([join(BENCH, 'generate.mjs'), '--out', file, '--mode', 'cover', '--services', String(o.historyServices), '--day', String(d), '--days', String(days), '--spans-per-line', '8192', '--seed', String(o.seed), '--lean'], 'generate (history)');
    const t = JSON.parse(readFileSync(`${file}.truth.json`, 'utf8'));
    spans += t.spans;
    bytes += t.bytes;
    edges = Math.max(edges, t.edgeCount);
    const r = await timed(process.execPath, [o.bin, '--db', db, 'ingest', file]);
    rmSync(file, { force: true });
    rmSync(`${file}.truth.json`, { force: true });
    if (r.code !== 0) {
      failures.push(`history day ${d}: ingest exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      break;
    }
    walls.push(r.wall);
    if (r.rss) rss.push(r.rss);
    if (d % 10 === 9 || d === days - 1) log(`   day ${d + 1}/${days}: ingest ${fmtS(r.wall)}, store ${fmtMB(storeBytes(db))}, ${((performance.now() - started) / 1000).toFixed(0)} s so far`);
  }
  const size = storeBytes(db);
  const scaled = days < 90 ? (size / days) * 90 : null;
  return {
    days, services: o.historyServices, spans, bytes, edgesPerDay: edges, size, scaled,
    ingestMed: walls.length ? median(walls) : null, ingestMax: walls.length ? Math.max(...walls) : null, rss: rss.length ? Math.max(...rss) : null,
    elapsed: (performance.now() - started) / 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// impact / plan / export --format dot on a stored graph of 5,000 services and ~50,000 edges

async function benchGraph(o) {
  const n = o.graphServices;
  const file = join(DATA, `graph-${n}-seed${o.seed}-g${GENERATOR_VERSION}.jsonl`);
  const truthFile = `${file}.truth.json`;
  log(`\n## Stored graph: ${n.toLocaleString('en-US')} services`);
  let truth = existsSync(truthFile) && existsSync(file) ? JSON.parse(readFileSync(truthFile, 'utf8')) : null;
  if (!truth || truth.generator !== GENERATOR_VERSION || truth.bytes !== statSync(file).size) {
    log(`  generating ${relative(ROOT, file)} ...`);
    log(`  ${runNode([join(BENCH, 'generate.mjs'), '--out', file, '--mode', 'cover', '--passes', '2', '--services', String(n), '--spans-per-line', '8192', '--seed', String(o.seed), '--lean'], 'generate (graph)')}`);
    truth = JSON.parse(readFileSync(truthFile, 'utf8'));
  }
  const db = join(TMP, 'graph.db');
  rmStore(db);
  const ing = await timed(process.execPath, [o.bin, '--db', db, 'ingest', file]);
  if (ing.code !== 0) {
    failures.push(`graph: ingest exited ${ing.code}: ${ing.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return null;
  }
  log(`   ingest (once): ${fmtS(ing.wall)}, ${ing.rss ? fmtMB(ing.rss) : 'RSS n/a'}, store ${fmtMB(storeBytes(db))}`);
  // Check the stored graph and pick the target: the most-called service with a previous version.
  const exportOut = join(TMP, 'graph-export.json');
  const v = await timed(process.execPath, [o.bin, '--db', db, 'export', '--format', 'json'], { stdoutFile: exportOut });
  if (v.code !== 0) {
    failures.push(`graph: export --format json exited ${v.code}`);
    return null;
  }
  const g = JSON.parse(readFileSync(exportOut, 'utf8'));
  const problems = compareEdges(truth.edges, g.edges);
  if (problems.length) failures.push(`graph: ${problems.length} stored edges differ from truth: ${problems.slice(0, 5).join('; ')}`);
  // The target: a service with a previous version and the most coordinated callers (the ones
  // that must revert with it, whose own callers may have to follow: the upstream walk).
  const services = g.nodes.filter((x) => x.kind === 'service');
  const twoVersions = new Set(services.filter((x) => x.versions.length >= 2).map((x) => x.id));
  const score = new Map();
  for (const e of g.edges) {
    if (!twoVersions.has(e.to)) continue;
    const s = score.get(e.to) ?? { coordinated: 0, callers: 0 };
    s.callers++;
    if (e.impact === 'coordinated') s.coordinated++;
    score.set(e.to, s);
  }
  const ranked = [...score].sort((a, b) => b[1].coordinated - a[1].coordinated || b[1].callers - a[1].callers || (a[0] < b[0] ? -1 : 1));
  // Two targets: the heaviest (most coordinated callers: a large upstream walk) and a typical one
  // (the median caller count among services with a previous version).
  const heavy = ranked[0]?.[0] ?? services[0].id;
  const byCallers = [...score].sort((a, b) => a[1].callers - b[1].callers || (a[0] < b[0] ? -1 : 1));
  const typical = byCallers[byCallers.length >> 1]?.[0] ?? heavy;
  const targets = [...new Set([heavy, typical])];
  log(`   ${services.length} services, ${g.nodes.length} nodes, ${g.edges.length} edges (truth ${truth.edgeCount})`);
  const cmds = [];
  for (const t of targets) {
    const sc = score.get(t);
    const note = `${t === heavy ? 'heaviest' : 'typical'}: ${sc?.callers ?? 0} callers, ${sc?.coordinated ?? 0} coordinated`;
    cmds.push({ id: 'impact', target: t, note, label: `impact ${t}`, args: [o.bin, '--db', db, 'impact', t], limit: 0.3 });
    cmds.push({ id: 'plan', target: t, note, label: `plan ${t}`, args: [o.bin, '--db', db, 'plan', t], limit: 0.3 });
  }
  cmds.push({ id: 'dot', label: 'export --format dot', args: [o.bin, '--db', db, 'export', '--format', 'dot'], limit: 1, stdoutFile: join(TMP, 'graph.dot') });
  const out = [];
  for (const c of cmds) c.runs = [];
  for (let run = 1; run <= o.runs; run++) {
    for (const c of cmds) {
      const r = await timed(process.execPath, c.args, { stdoutFile: c.stdoutFile });
      if (r.code !== 0) failures.push(`graph: ${c.label} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      c.runs.push(r);
      log(`   run ${run}  ${c.label.padEnd(36)} ${fmtS(r.wall).padStart(9)}  ${r.rss ? fmtMB(r.rss).padStart(9) : '   RSS n/a'}`);
    }
  }
  for (const t of targets) {
    const j = await timed(process.execPath, [o.bin, '--db', db, 'impact', t, '--json']);
    let revert = '?';
    try {
      revert = JSON.parse(j.stdout).mustRevertWith.length;
    } catch {
      /* shape changed: not essential */
    }
    for (const c of cmds) if (c.target === t) c.note += `; ${revert} must revert with it`;
  }
  for (const c of cmds) out.push({ ...c, stats: stats(c) });
  return { services: services.length, nodes: g.nodes.length, edges: g.edges.length, truthEdges: truth.edgeCount, bytes: truth.bytes, spans: truth.spans, ingest: ing, store: storeBytes(db), cmds: out };
}

// ---------------------------------------------------------------------------------------------
// Report

function machineFacts(o) {
  const git = (args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  let duck = 'not installed';
  try {
    duck = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')).version;
  } catch {
    /* absent */
  }
  const dirty = git(['status', '--porcelain', '--', 'src']).split('\n').filter(Boolean).length;
  const own = resolve(o.bin) === join(ROOT, 'bin', 'rollgraph.js');
  let rollgraph = own
    ? `${git(['rev-parse', '--short', 'HEAD'])}${dirty ? ` + ${dirty} uncommitted file(s) in src/` : ''} (bin/rollgraph.js)`
    : `${o.bin} (--bin: not this checkout's build)`;
  if (o.label) rollgraph = `${o.label} (${own ? 'bin/rollgraph.js' : o.bin})`;
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpus: `${os.availableParallelism?.() ?? os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    rollgraph,
    duckdb: duck,
    rss: haveGnuTime() ? 'GNU time %M (max resident set size of the process)' : 'unavailable (no GNU time at /usr/bin/time): wall time only',
  };
}

function verdict(ok) {
  return ok ? '✓' : '✗';
}

/** The performance targets, each with what this run measured (time ratios at the largest size run). */
function renderSummary(inputs, history, graph) {
  const L = ['## Performance targets', ''];
  const st = (inp, id) => stats(inp.results[id]);
  const largest = inputs.length ? Math.max(...inputs.map((i) => sizeBytes(i.size))) : 0;
  const top = inputs.filter((i) => sizeBytes(i.size) === largest);
  const at = top.length ? `${top[0].size}${largest < 1e9 ? ' (the largest size run; the target is stated at 1 GB)' : ''}` : '';
  const per = (f) => top.map((i) => `${f(i) ?? '-'} (${i.lines}/line)`).join(', ');
  const all = (f) => top.length > 0 && top.every((i) => f(i) === true);
  const ratio = (i, id) => {
    const a = st(i, id);
    const b = st(i, 'P');
    return a && b ? a.med / b.med : null;
  };
  const vsDuck = (i, id) => {
    const a = st(i, id);
    const d = st(i, 'duckdb');
    return a && d ? d.med / a.med : null;
  };
  const rows = [];
  if (top.length) {
    for (const id of ['export', 'ingest']) {
      rows.push([`\`${id}\` ≤ 0.75 × P at ${at}`, per((i) => ratio(i, id)?.toFixed(2)), all((i) => ratio(i, id) <= 0.75)]);
    }
    if (top.some((i) => st(i, 'duckdb'))) {
      for (const id of ['export', 'ingest']) {
        rows.push([`\`${id}\` ≥ 2 × faster than the DuckDB peer at ${at}`, per((i) => (vsDuck(i, id) == null ? null : `${vsDuck(i, id).toFixed(2)}×`)), all((i) => vsDuck(i, id) >= 2)]);
      }
    } else rows.push(['≥ 2 × faster than the DuckDB peer', 'peer not run', null]);
    rows.push([`\`nightly\` ≤ 1.2 × \`ingest\` at ${at}`, per((i) => (st(i, 'nightly') && st(i, 'ingest') ? (st(i, 'nightly').med / st(i, 'ingest').med).toFixed(2) : null)), all((i) => st(i, 'nightly').med / st(i, 'ingest').med <= 1.2)]);
    let worst = null;
    for (const i of inputs) {
      for (const id of ['export', 'ingest', 'nightly']) {
        const x = st(i, id);
        if (x?.rss != null && (!worst || x.rss > worst.rss)) worst = { rss: x.rss, where: `${id}, ${i.size} ${i.lines}/line` };
      }
    }
    rows.push(['peak RSS ≤ 200 MB at every size (export, ingest, nightly)', worst ? `max ${fmtMB(worst.rss)} (${worst.where})` : 'RSS unavailable', worst ? worst.rss <= 200e6 : null]);
    const bad = inputs.filter((i) => ['export', 'ingest', 'nightly'].some((id) => i.results[id].bad));
    rows.push(['identical results: every run\'s edges = the generator\'s truth', bad.length ? `**differs** on ${bad.map((i) => `${i.size} ${i.lines}/line`).join(', ')}` : `equal on all ${inputs.length} inputs`, bad.length === 0]);
  }
  if (history) {
    const size = history.scaled ?? history.size;
    rows.push([`store with 90 days of history for ${history.services.toLocaleString('en-US')} services < 200 MB`, `${fmtMB(size)}${history.scaled ? ` (**proxy**: ${history.days} days scaled to 90)` : ''}`, size < 200e6]);
  }
  if (graph) {
    for (const id of ['impact', 'plan']) {
      const cs = graph.cmds.filter((c) => c.id === id && c.stats);
      if (cs.length) rows.push([`\`${id}\` < 300 ms on ${graph.services.toLocaleString('en-US')} services / ${graph.edges.toLocaleString('en-US')} edges`, cs.map((c) => `${fmtS(c.stats.med)} (${c.target})`).join(', '), cs.every((c) => c.stats.med < 0.3)]);
    }
    const dot = graph.cmds.find((c) => c.id === 'dot' && c.stats);
    if (dot) rows.push(['`export --format dot` of it < 1 s', fmtS(dot.stats.med), dot.stats.med < 1]);
  }
  L.push('| target | measured | |');
  L.push('|---|---|---|');
  for (const [t, m, ok] of rows) L.push(`| ${t} | ${m} | ${ok == null ? '' : verdict(ok)} |`);
  L.push('');
  L.push('## Details');
  L.push('');
  return L;
}

function renderReport(o, facts, inputs, history, graph, elapsed) {
  const L = [];
  L.push('# rollgraph benchmark results');
  L.push('');
  const argv = process.argv.slice(2).map((a) => (/[\s'"]/.test(a) ? `'${a.replace(/'/g, "'\\''")}'` : a));
  L.push(`Written by \`${['node bench/run.mjs', ...argv].join(' ')}\` on ${facts.date}, in ${(elapsed / 60).toFixed(1)} min. What each column means: [README.md](README.md).`);
  L.push('');
  L.push('| machine | |');
  L.push('|---|---|');
  L.push(`| CPUs (nproc) | ${facts.cpus} |`);
  L.push(`| memory | ${facts.memory} |`);
  L.push(`| Node | ${facts.node} |`);
  L.push(`| OS | ${facts.os} |`);
  L.push(`| rollgraph | ${facts.rollgraph} |`);
  L.push(`| @duckdb/node-api | ${facts.duckdb} |`);
  L.push(`| peak RSS | ${facts.rss} |`);
  L.push('');
  L.push(...renderSummary(inputs, history, graph));
  L.push(`Medians of ${o.runs} runs (min-max), process start included. Ratios are of medians measured side by side in this run: **× P** = tool ÷ P (target ≤ 0.75 for export and ingest at 1 GB), **DuckDB ÷** = DuckDB peer ÷ tool (target ≥ 2), nightly ÷ ingest (target ≤ 1.2), peak RSS target ≤ 200 MB at every size. Every rollgraph export (and the store after the first ingest and nightly of each input) is checked against the generator's truth: edges (from, to, type), calls and errors.`);
  L.push('');
  L.push('| input | tool | median | min-max | peak RSS | × P | DuckDB ÷ | checks vs targets |');
  L.push('|---|---|---:|---:|---:|---:|---:|---|');
  for (const inp of inputs) {
    const s = Object.fromEntries(Object.entries(inp.results).map(([k, v]) => [k, stats(v)]));
    const P = s.P?.med;
    const D = s.duckdb?.med;
    const first = `${inp.size}, ${inp.lines}/line`;
    let firstRow = true;
    for (const [id, res] of Object.entries(inp.results)) {
      const st = s[id];
      if (!st) {
        if (res.skipped) L.push(`| ${firstRow ? first : ''} | ${res.label} | skipped | | | | | @duckdb/node-api not loadable |`);
        firstRow = false;
        continue;
      }
      const xP = P ? st.med / P : null;
      const vsD = D && id !== 'duckdb' && id !== 'split' && id !== 'P' ? D / st.med : null;
      const checks = [];
      if (id === 'export' || id === 'ingest') {
        checks.push(`${verdict(xP <= 0.75)} ≤0.75×P`);
        if (D) checks.push(`${verdict(vsD >= 2)} ≥2× DuckDB`);
      }
      if (id === 'nightly' && s.ingest) {
        const r = st.med / s.ingest.med;
        checks.push(`${verdict(r <= 1.2)} ${r.toFixed(2)}× ingest (≤1.2)`);
      }
      if (['export', 'ingest', 'nightly'].includes(id) && st.rss != null) checks.push(`${verdict(st.rss <= 200e6)} RSS ≤200 MB`);
      const mism = res.bad === true;
      if (['export', 'ingest', 'nightly'].includes(id)) checks.push(mism ? '✗ **edges ≠ truth**' : '✓ edges = truth');
      L.push(`| ${firstRow ? first : ''} | ${res.label} | ${fmtS(st.med)} | ${fmtS(st.min)}-${fmtS(st.max)} | ${st.rss != null ? fmtMB(st.rss) : 'n/a'} | ${xP != null ? xP.toFixed(2) : ''} | ${vsD != null ? `${vsD.toFixed(2)}×` : ''} | ${checks.join(', ')} |`);
      firstRow = false;
    }
  }
  L.push('');
  L.push('| input | bytes | spans | B/span | lines | traces | edges (truth) | calls |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const inp of inputs) {
    const t = inp.truth;
    L.push(`| ${inp.size}, ${inp.lines}/line | ${t.bytes.toLocaleString('en-US')} | ${t.spans.toLocaleString('en-US')} | ${Math.round(t.bytes / t.spans)} | ${t.lines.toLocaleString('en-US')} | ${t.traces.toLocaleString('en-US')} | ${t.edgeCount} | ${t.callCount.toLocaleString('en-US')} |`);
  }
  if (history) {
    L.push('');
    L.push(`### Store size: ${history.days} days of history for ${history.services.toLocaleString('en-US')} services`);
    L.push('');
    L.push(`${history.days} daily \`ingest\` runs into one store, each of a generated day (\`generate.mjs --mode cover --lean\`: every operation of every service exercised that day, with its direct callees, databases, queues and third parties; versions rolling out every few weeks; ~${Math.round(history.spans / history.days).toLocaleString('en-US')} spans and ~${history.edgesPerDay.toLocaleString('en-US')} edges a day, ${fmtMB(history.bytes)} in all).`);
    L.push('');
    L.push('| days | services | store on disk | target | ingest per day (median, max) | peak RSS | elapsed |');
    L.push('|---:|---:|---:|---|---:|---:|---:|');
    const size = history.scaled ?? history.size;
    L.push(`| ${history.days} | ${history.services.toLocaleString('en-US')} | ${fmtMB(history.size)}${history.scaled ? ` (**proxy**: ${history.days} days scaled ×${(90 / history.days).toFixed(1)} → ${fmtMB(history.scaled)} for 90 days)` : ''} | ${verdict(size < 200e6)} < 200 MB | ${fmtS(history.ingestMed)}, ${fmtS(history.ingestMax)} | ${history.rss ? fmtMB(history.rss) : 'n/a'} | ${history.elapsed.toFixed(0)} s |`);
  }
  if (graph) {
    L.push('');
    L.push(`### Queries on a stored graph of ${graph.services.toLocaleString('en-US')} services and ${graph.edges.toLocaleString('en-US')} edges`);
    L.push('');
    L.push(`Generated with \`--mode cover --passes 2 --services ${graph.services}\` (${graph.spans.toLocaleString('en-US')} spans, ${fmtMB(graph.bytes)}), ingested once (${fmtS(graph.ingest.wall)}, ${graph.ingest.rss ? fmtMB(graph.ingest.rss) : 'RSS n/a'}; store ${fmtMB(graph.store)}). Two targets among the services with a previous version: the heaviest (most coordinated callers, so the largest upstream walk) and a typical one (median number of callers). Process start included.`);
    L.push('');
    L.push('| command | target service | median | min-max | peak RSS | target |');
    L.push('|---|---|---:|---:|---:|---|');
    for (const c of graph.cmds) {
      if (!c.stats) continue;
      L.push(`| \`rollgraph ${c.label}\` | ${c.note ?? ''} | ${fmtS(c.stats.med)} | ${fmtS(c.stats.min)}-${fmtS(c.stats.max)} | ${c.stats.rss ? fmtMB(c.stats.rss) : 'n/a'} | ${verdict(c.stats.med < c.limit)} < ${c.limit < 1 ? `${c.limit * 1000} ms` : `${c.limit} s`} |`);
    }
  }
  L.push('');
  if (failures.length) {
    L.push('### MISMATCHES AND FAILURES');
    L.push('');
    for (const f of failures) L.push(`- ${f}`);
    L.push('');
  }
  if (notices.length) {
    L.push('### Notices');
    L.push('');
    for (const n of notices) L.push(`- ${n}`);
    L.push('');
  }
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(TMP, { recursive: true });
  if (!existsSync(o.bin)) throw new Error(`${o.bin} not found: run npm run build (npm run bench does)`);
  const started = performance.now();
  const facts = machineFacts(o);
  log(`rollgraph benchmark: ${facts.date}, ${facts.cpus}, ${facts.memory}, Node ${facts.node}, rollgraph ${facts.rollgraph}`);
  if (!haveGnuTime()) notices.push('GNU time not found at /usr/bin/time: wall time only, peak RSS unavailable');
  let peer = o.duckdb;
  if (peer) {
    const probe = spawnSync(process.execPath, ['-e', "import('@duckdb/node-api').then(() => process.exit(0), () => process.exit(3))"], { cwd: ROOT });
    if (probe.status !== 0) {
      peer = false;
      notices.push('DuckDB peer skipped: @duckdb/node-api could not be loaded (npm install it as a dev dependency)');
      log('notice: DuckDB peer skipped: @duckdb/node-api could not be loaded');
    }
  } else notices.push('DuckDB peer not run (--no-duckdb)');
  const sizes = [...o.sizes].sort((a, b) => sizeBytes(a) - sizeBytes(b));
  const inputs = [];
  for (const size of sizes) for (const lines of o.lines) inputs.push(await benchInput(o, size, lines, peer));
  let history = null;
  if (o.history) history = await benchHistory(o);
  let graph = null;
  if (o.graph) graph = await benchGraph(o);
  const report = renderReport(o, facts, inputs, history, graph, (performance.now() - started) / 1000);
  log('\n' + report);
  writeFileSync(o.results, report + '\n');
  log(`written: ${relative(process.cwd(), o.results)}`);
  rmSync(TMP, { recursive: true, force: true });
  if (failures.length) {
    log(`\n${failures.length} MISMATCH(ES) OR FAILURE(S): see above`);
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e.message}\n`);
  process.exit(2);
});
