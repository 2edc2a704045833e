/**
 * A debugger's side of the Chrome DevTools Protocol, as VS Code and Chrome speak it
 * to a Node.js inspector: a WebSocket to the process, and sessions with its worker
 * threads through the NodeWorker domain (messages wrapped in
 * NodeWorker.sendMessageToWorker / receivedMessageFromWorker).
 */

export interface CdpEvent {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

interface CdpMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
}

/** One target: the process itself, or a worker thread reached through it. */
export class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private readonly events: CdpEvent[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly post: (message: string) => void) {}

  /** Sends a command; resolves with its result, rejects with the protocol's error. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post(JSON.stringify({ id, method, params }));
    });
  }

  /** Resolves with the first event (received so far or later) named `method` that `accept`s, taking it. */
  next(method: string, accept: (params: Record<string, unknown>) => boolean = () => true, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${method} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        const index = this.events.findIndex((event) => event.method === method && accept(event.params));
        if (index < 0) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(this.events.splice(index, 1)[0].params);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The events received so far named `method`. */
  received(method: string): Record<string, unknown>[] {
    return this.events.filter((event) => event.method === method).map((event) => event.params);
  }

  receive(text: string): void {
    const message = JSON.parse(text) as CdpMessage;
    if (message.id !== undefined) {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) pending?.reject(new Error(message.error.message));
      else pending?.resolve(message.result ?? {});
      return;
    }
    if (message.method) this.events.push({ method: message.method, params: message.params ?? {} });
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A connection to a Node.js inspector, with sessions for its worker threads. */
export class CdpConnection {
  readonly process: CdpSession;
  private readonly workers = new Map<string, CdpSession>();

  private constructor(private readonly socket: WebSocket) {
    this.process = new CdpSession((message) => socket.send(message));
    socket.addEventListener('message', (event) => {
      const text = String(event.data);
      const message = JSON.parse(text) as CdpMessage;
      if (message.method === 'NodeWorker.receivedMessageFromWorker') {
        const { sessionId, message: inner } = message.params as { sessionId: string; message: string };
        this.workers.get(sessionId)?.receive(inner);
      } else this.process.receive(text);
    });
  }

  /** Connects to the inspector whose HTTP endpoint is on `port`, as a debugger finds it (/json/list). */
  static async open(port: number): Promise<CdpConnection> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot connect to ${targets[0].webSocketDebuggerUrl}`)), { once: true });
    });
    return new CdpConnection(socket);
  }

  /** A session with the worker thread the inspector attached as `sessionId` (NodeWorker.attachedToWorker). */
  worker(sessionId: string): CdpSession {
    let session = this.workers.get(sessionId);
    if (!session) {
      session = new CdpSession((message) => void this.process.send('NodeWorker.sendMessageToWorker', { sessionId, message }));
      this.workers.set(sessionId, session);
    }
    return session;
  }

  close(): void {
    this.socket.close();
  }
}
