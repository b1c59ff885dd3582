/**
 * Preloaded (`node --require`) into a rollgraph process by test/security/network.test.ts: every
 * way out to the network (sockets, DNS, fetch, HTTP, TLS, UDP) is recorded in the file named by
 * ROLLGRAPH_NETWORK_LOG, one JSON line an attempt, and refused.
 */
'use strict';
const { appendFileSync } = require('node:fs');
const log = process.env.ROLLGRAPH_NETWORK_LOG;
if (!log) throw new Error('ROLLGRAPH_NETWORK_LOG is not set');

function refuse(what, args) {
  const target = args
    .map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : a && typeof a === 'object' ? JSON.stringify({ host: a.host ?? a.hostname, port: a.port, path: a.path, href: a.href }) : ''))
    .filter(Boolean)
    .join(' ');
  appendFileSync(log, `${JSON.stringify({ what, target })}\n`);
  const error = new Error(`network access refused in this test: ${what} ${target}`);
  error.code = 'ENETUNREACH';
  return error;
}

function deny(object, name, what, asPromise = false) {
  if (typeof object[name] !== 'function') return;
  object[name] = function denied(...args) {
    const error = refuse(what, args);
    if (asPromise) return Promise.reject(error);
    throw error;
  };
}

const net = require('node:net');
deny(net.Socket.prototype, 'connect', 'net.Socket.connect');
deny(net, 'connect', 'net.connect');
deny(net, 'createConnection', 'net.createConnection');
const tls = require('node:tls');
deny(tls, 'connect', 'tls.connect');
const dgram = require('node:dgram');
deny(dgram, 'createSocket', 'dgram.createSocket');
for (const mod of ['node:http', 'node:https']) {
  const m = require(mod);
  deny(m, 'request', `${mod.slice(5)}.request`);
  deny(m, 'get', `${mod.slice(5)}.get`);
}
const dns = require('node:dns');
for (const name of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveSrv', 'resolveTxt', 'reverse']) {
  deny(dns, name, `dns.${name}`);
  deny(dns.promises, name, `dns.promises.${name}`, true);
}
deny(globalThis, 'fetch', 'fetch', true);
require('node:module').syncBuiltinESMExports();
