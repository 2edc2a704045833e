/**
 * `npm run start:debug` (`npm start -- --inspect`): the server opens Node.js's
 * inspector, where a debugger attaches (.vscode/launch.json, Chrome's
 * chrome://inspect). The functions' environments are worker threads of the
 * server, which the inspector reaches too (its NodeWorker domain: VS Code attaches
 * to each one as it starts); environments that are child processes of another
 * Node.js open an inspector each (./lambda/environment), printed as they start.
 *
 * In debug mode each function has one environment at a time, its invocations wait
 * for it, and neither the function's timeout nor the integration's applies: a
 * breakpoint may hold an invocation as long as it takes. Each environment runs the
 * bundle linked to its source map (./lambda/code), so breakpoints set in
 * function/*.ts bind.
 */
import * as inspector from 'node:inspector';
import type { InspectAddress } from './settings';
import { LocalError } from './shared/local-error';

export interface OpenInspector {
  /** The WebSocket URL a debugger attaches to: ws://127.0.0.1:9229/<id>. */
  readonly url: string;
  close(): void;
}

/** Opens the inspector at `address` (Node.js prints "Debugger listening on ..."), or takes the one already open. */
export function openInspector(address: InspectAddress): OpenInspector {
  const already = inspector.url();
  if (already !== undefined) return { url: already, close: () => undefined };
  inspector.open(address.port, address.host, false);
  const url = inspector.url();
  if (url === undefined) {
    throw new LocalError(
      `The inspector cannot listen on ${address.host}:${address.port} (in use by another debugged process?). ` +
        `Stop that process, or choose another port, e.g. npm run start:debug -- --inspect=${address.port + 1}.`,
    );
  }
  return { url, close: () => inspector.close() };
}
