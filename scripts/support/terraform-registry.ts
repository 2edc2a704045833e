import { spawnSync } from 'node:child_process';

/**
 * Whether registry.terraform.io answers, within a few seconds, through the HTTPS
 * proxy Terraform would use (HTTPS_PROXY, unless NO_PROXY exempts the registry).
 * Run in a child process so that the synchronous callers (test files deciding
 * what to skip as they load, npm run diff explaining a failure) can wait for it.
 */
const REGISTRY_PROBE = `
const https = require('node:https'), http = require('node:http'), tls = require('node:tls');
const host = 'registry.terraform.io';
const proxy = process.env.HTTPS_PROXY || process.env.https_proxy;
const noProxy = (process.env.NO_PROXY || process.env.no_proxy || '').split(',').map((s) => s.trim()).filter(Boolean);
const exempt = noProxy.some((entry) => entry === '*' || host === entry.replace(/^\./, '') || host.endsWith('.' + entry.replace(/^\./, '')));
const get = (socket) => https.get({ host, path: '/.well-known/terraform.json', timeout: 4000, ...(socket ? { createConnection: () => tls.connect({ socket, servername: host }) } : {}) }, (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1)).on('timeout', () => process.exit(1));
if (proxy && !exempt) {
  const url = new URL(proxy);
  http.request({ host: url.hostname, port: url.port || 80, method: 'CONNECT', path: host + ':443', timeout: 4000 })
    .on('connect', (res, socket) => (res.statusCode === 200 ? get(socket) : process.exit(1)))
    .on('error', () => process.exit(1)).on('timeout', () => process.exit(1)).end();
} else get();
`;

export function registryReachable(env: NodeJS.ProcessEnv = process.env): boolean {
  return spawnSync(process.execPath, ['-e', REGISTRY_PROBE], { stdio: 'ignore', timeout: 10_000, env }).status === 0;
}
