#!/usr/bin/env node
/**
 * The DuckDB peer: the same job done the way a data engineer would do it with DuckDB
 * (@duckdb/node-api, a dev dependency), as well as DuckDB does it.
 *
 *   node bench/duckdb-peer.mjs FILE [--full] [--threads N]
 *
 * stdout: the edges as JSON ([{from, to, type, calls, errors}]); stderr: `edges=N calls=M`.
 * Exit 3 when @duckdb/node-api cannot be loaded (the runner then skips the peer with a notice).
 *
 * Default (what the benchmark times; what the targets were set against): R1 only.
 *   read_json of the newline-delimited file with explicit columns (no sniffing; only the fields
 *   the job needs are converted: resource attributes, trace/span/parent ids, kind, status) and
 *   maximum_object_size 16 MB (twice the longest 8,192-span line; retried with 512 MB),
 *   unnest resourceSpans -> scopeSpans -> spans, service.name from the resource attributes,
 *   self-join spans on (traceId, parentSpanId) = (traceId, spanId), keep pairs whose services
 *   differ, type async when the parent is a PRODUCER or the child a CONSUMER, else sync,
 *   errors when either span has status code 2, grouped by (from, to, type) with counts.
 * --full: also R3 leaf exits (CLIENT/PRODUCER spans without a child in another service, named
 *   by CONTRACT §2: database <system>:<namespace|name|address>, queue <system>:<destination>,
 *   external peer/host/url host; a name that is a service becomes that service, self-calls
 *   dropped) and R5 named callers of root consumers. Slower (it converts span attributes too);
 *   used to cross-check the generator's truth, not timed by default.
 * Not covered in either mode: R2 links, aliases/ignore rules, operations, versions.
 *
 * DuckDB runs with its default thread count (all cores) unless --threads is given, and with
 * preserve_insertion_order off (lets it stream without keeping order; less memory).
 */
let DuckDBInstance;
try {
  ({ DuckDBInstance } = await import('@duckdb/node-api'));
} catch (e) {
  process.stderr.write(`duckdb-peer: cannot load @duckdb/node-api: ${e.message}\n`);
  process.exit(3);
}

const args = process.argv.slice(2);
const full = args.includes('--full');
const ti = args.indexOf('--threads');
const threads = ti >= 0 ? Number(args[ti + 1]) : null;
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--threads');
if (!file) {
  process.stderr.write('usage: node bench/duckdb-peer.mjs FILE [--full] [--threads N]\n');
  process.exit(2);
}

const KV = `STRUCT("key" VARCHAR, "value" STRUCT(stringValue VARCHAR))[]`;
const SPAN = full
  ? `STRUCT(traceId VARCHAR, spanId VARCHAR, parentSpanId VARCHAR, kind INTEGER, attributes ${KV}, status STRUCT(code INTEGER))`
  : `STRUCT(traceId VARCHAR, spanId VARCHAR, parentSpanId VARCHAR, kind INTEGER, status STRUCT(code INTEGER))`;
const COLUMNS = `{resourceSpans: 'STRUCT(resource STRUCT(attributes ${KV}), scopeSpans STRUCT(spans ${SPAN}[])[])[]'}`;
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
// 16 MB: twice the longest 8,192-span line (~7.3 MB). Larger buffers only cost: 512 MB made
// DuckDB 60% slower and 4 times larger (2.8 GB RSS) on 1 GB. Retried with 512 MB if a line is larger.
let maxObject = 16 * 1024 * 1024;
const source = () => `read_json(${lit(file)}, format = 'newline_delimited', records = true, columns = ${COLUMNS}, maximum_object_size = ${maxObject})`;
const attr = (list, ...keys) => `coalesce(${keys.map((k) => `list_filter(${list}, a -> a."key" = '${k}')[1]."value".stringValue`).join(', ')})`;

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
if (threads) await con.run(`SET threads = ${threads}`);
await con.run('SET preserve_insertion_order = false');

const spansSql = () => `
CREATE TEMP TABLE spans AS
WITH r AS (SELECT unnest(resourceSpans) AS rs FROM ${source()}),
     s AS (SELECT coalesce(nullif(${attr('rs.resource.attributes', 'service.name')}, ''), 'unknown_service') AS svc, unnest(rs.scopeSpans) AS ss FROM r),
     p AS (SELECT svc, unnest(ss.spans) AS sp FROM s)
SELECT svc, sp.traceId AS tid, sp.spanId AS sid, nullif(sp.parentSpanId, '') AS pid, sp.kind AS kind,
       coalesce(sp.status.code = 2, false) AS err
       ${full ? `, sp.attributes AS attrs` : ''}
FROM p`;
try {
  await con.run(spansSql());
} catch (e) {
  if (!/maximum_object_size/i.test(String(e.message))) throw e;
  maxObject = 512 * 1024 * 1024;
  await con.run(spansSql());
}

await con.run(`
CREATE TEMP TABLE pairs AS
SELECT p.svc AS "from", c.svc AS "to", p.tid AS ptid, p.sid AS psid,
       CASE WHEN p.kind = 4 OR c.kind = 5 THEN 'async' ELSE 'sync' END AS type, (p.err OR c.err) AS err
FROM spans c JOIN spans p ON c.tid = p.tid AND c.pid = p.sid
WHERE p.svc <> c.svc`);

let edgesSql = `SELECT "from", "to", type, count(*) AS calls, count(*) FILTER (err) AS errors FROM pairs GROUP BY ALL`;
if (full) {
  const a = (...k) => attr('attrs', ...k);
  await con.run(`
CREATE TEMP TABLE exits AS
WITH leaf AS (
  SELECT s.* FROM spans s
  WHERE s.kind IN (3, 4) AND NOT EXISTS (SELECT 1 FROM pairs x WHERE x.ptid = s.tid AND x.psid = s.sid)
), named AS (
  SELECT svc, err,
    ${a('db.system.name', 'db.system')} AS dbsys,
    ${a('db.namespace', 'db.name')} AS dbns,
    ${a('messaging.system')} AS msys,
    ${a('messaging.destination.name', 'messaging.destination')} AS mdest,
    ${a('service.peer.name', 'peer.service')} AS peer,
    ${a('server.address', 'net.peer.name')} AS addr,
    nullif(lower(regexp_extract(${a('url.full', 'http.url')}, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)', 1)), '') AS urlhost
  FROM leaf
)
SELECT svc AS "from",
  CASE WHEN dbsys IS NOT NULL THEN coalesce(peer, dbsys || coalesce(':' || coalesce(dbns, addr), ''))
       WHEN msys IS NOT NULL THEN msys || coalesce(':' || mdest, '')
       ELSE coalesce(peer, addr, urlhost) END AS "to",
  CASE WHEN dbsys IS NOT NULL THEN 'database' WHEN msys IS NOT NULL THEN 'async' ELSE 'external' END AS type,
  err
FROM named`);
  await con.run(`
CREATE TEMP TABLE entries AS
SELECT CASE WHEN kind = 5 AND ${attr('attrs', 'messaging.system')} IS NOT NULL
            THEN ${attr('attrs', 'messaging.system')} || coalesce(':' || ${attr('attrs', 'messaging.destination.name', 'messaging.destination')}, '')
            ELSE ${attr('attrs', 'service.peer.name', 'peer.service')} END AS "from",
       svc AS "to", CASE WHEN kind = 5 THEN 'async' ELSE 'sync' END AS type, err
FROM spans WHERE pid IS NULL AND kind IN (2, 5)`);
  edgesSql = `
WITH services AS (SELECT DISTINCT svc FROM spans),
exits2 AS (SELECT "from", "to", type, err FROM exits WHERE "to" IS NOT NULL AND "from" <> "to"),
allcalls AS (
  SELECT "from", "to", type, err FROM pairs
  UNION ALL SELECT "from", "to", type, err FROM exits2
  UNION ALL SELECT "from", "to", type, err FROM entries WHERE "from" IS NOT NULL
)
SELECT "from", "to", type, count(*) AS calls, count(*) FILTER (err) AS errors FROM allcalls GROUP BY ALL`;
}

const reader = await con.runAndReadAll(`${edgesSql} ORDER BY 1, 2, 3`);
const edges = reader.getRows().map(([from, to, type, calls, errors]) => ({ from, to, type, calls: Number(calls), errors: Number(errors) }));
process.stdout.write(`${JSON.stringify(edges)}\n`);
process.stderr.write(`edges=${edges.length} calls=${edges.reduce((n, e) => n + e.calls, 0)}${full ? ' (R1+R3+R5)' : ' (R1)'}\n`);
