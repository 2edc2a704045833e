/**
 * Watch mode's type check (./type-check-worker, in a worker thread of its own so
 * that the server keeps serving while it runs): `check()` answers with the type
 * errors of the files the synth reads, as they are on disk now.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../shared/worker-script';
import type { FromTypeCheck, ToTypeCheck, TypeCheckWorkerData } from './type-check-worker';

const WORKER = path.join(__dirname, 'type-check-worker.ts');

export type TypeCheck =
  | { readonly kind: 'checked'; readonly errors: readonly string[]; readonly files: readonly string[] }
  /** No check could run (TypeScript is not installed, say): why. */
  | { readonly kind: 'unavailable'; readonly why: string };

export class TypeChecker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, (result: TypeCheck) => void>();
  private failure: string | undefined;

  constructor(projectDir: string) {
    this.worker = new Worker(workerScript(WORKER), { eval: true, workerData: { projectDir } satisfies TypeCheckWorkerData });
    // Its own thread: a busy check must never keep the server's process from ending.
    this.worker.unref();
    this.worker.on('message', (message: FromTypeCheck) => {
      this.pending.get(message.id)?.({ kind: 'checked', errors: message.errors, files: message.files });
      this.pending.delete(message.id);
    });
    const fail = (why: string) => {
      this.failure ??= why;
      for (const resolve of this.pending.values()) resolve({ kind: 'unavailable', why: this.failure });
      this.pending.clear();
    };
    this.worker.on('error', (error: Error & { code?: string }) =>
      fail(
        error.code === 'MODULE_NOT_FOUND' && error.message.includes("'typescript'")
          ? 'TypeScript is not installed (npm install without --omit=dev installs it)'
          : `the type checker failed: ${error.message}`,
      ),
    );
    this.worker.on('exit', () => fail('the type checker stopped'));
  }

  /** The type errors of the synth's files as they are now; waits for the first program to be built. */
  check(): Promise<TypeCheck> {
    if (this.failure !== undefined) return Promise.resolve({ kind: 'unavailable', why: this.failure });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ kind: 'check', id } satisfies ToTypeCheck);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
