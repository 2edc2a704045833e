/** The address the servers listen on (HOST), as clients and URLs need it. */
import * as net from 'node:net';

/** The address a client on this machine uses to reach a listener bound to `host`. */
export function clientHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** Whether listening on `host` keeps the server to this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** `host` as it goes into a URL (IPv6 in brackets). */
export function urlHost(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}
