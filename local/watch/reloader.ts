/**
 * `npm start -- --watch`: on each save of a file the synth reads (./source-watcher),
 * synthesizes the stack again and type-checks it (./type-checker) side by side,
 * reads the new stack, builds the next version of what the server serves from it
 * (../served-stack, reusing what did not change), makes sure of its tables in the
 * embedded DynamoDB, starts its new functions' environments, and only then swaps it
 * in. Then it prints one block: what changed, in Terraform's words (./stack-diff),
 * and how long after the save the new version served.
 *
 * A save that fails at any step (a type error, a synth that fails, a stack the
 * server cannot serve, a template that does not compile, a table whose keys
 * changed) changes nothing: the previous version keeps serving, and the error is
 * printed once (the same error again is only mentioned). The next good save recovers;
 * saving a file again unchanged retries (after deleting a table whose keys changed).
 *
 * Saves are handled one at a time; those made meanwhile are gathered into the next.
 */
import * as fs from 'node:fs';
import type { EmbeddedDynamoDB } from '../dynamodb/embedded-dynamodb';
import { describeInitFailure, type InitFailure, ServedStack, type ServeOptions } from '../served-stack';
import { LocalError } from '../shared/local-error';
import { loadStack } from '../stack/reader';
import { findStackFile, type StackLocation } from '../stack/stack-file';
import { SynthError, synthesize } from '../synth';
import { type Save, SourceWatcher } from './source-watcher';
import { describeChanges, type StackJson, stackChanges } from './stack-diff';
import { TypeChecker } from './type-checker';

export interface ReloaderOptions {
  readonly projectDir: string;
  readonly stackLocation: StackLocation;
  readonly baseUrl: string;
  readonly serve: ServeOptions;
  readonly dynamodb: EmbeddedDynamoDB;
  /** Where the blocks go (the server's stdout). */
  readonly out: NodeJS.WritableStream;
  /** The server's stop request: a reload under way is abandoned. */
  readonly stop: AbortSignal;
  readonly current: () => ServedStack;
  /** Serves `next` from now on; the version it replaces retires. */
  readonly swap: (next: ServedStack) => void;
}

/** Why a reload stopped short, said once in its block. */
class ReloadFailure extends Error {}

export class Reloader {
  private readonly watcher: SourceWatcher;
  private readonly checker: TypeChecker;
  private running: Promise<void> | undefined;
  private queued: Save | undefined;
  /** The last failure printed, so that the same one again is not printed again. */
  private lastFailure: string | undefined;
  /** The served version's stack JSON, to compare the next one with. */
  private json: StackJson;

  constructor(
    private readonly options: ReloaderOptions,
    stackFile: string,
  ) {
    this.json = readJson(stackFile);
    this.checker = new TypeChecker(options.projectDir);
    this.watcher = new SourceWatcher(options.projectDir, (save) => this.saved(save));
    // The first check builds the program (a second or two), and names the files the synth reads beyond the usual places.
    void this.checker.check().then((check) => {
      if (check.kind === 'unavailable') this.write(`Watch mode: type checks are off: ${check.why}.\n`);
      else this.watcher.watchAlso(check.files);
    });
  }

  /** Stops watching; waits for a reload under way (the server's stop request ends its synth). */
  async close(): Promise<void> {
    this.watcher.close();
    this.queued = undefined;
    await this.running;
    await this.checker.stop();
  }

  private saved(save: Save): void {
    if (this.options.stop.aborted) return;
    if (this.running) {
      // Gathered into one: the earliest save is when the wait began.
      this.queued = this.queued ? { files: [...new Set([...this.queued.files, ...save.files])].sort(), at: this.queued.at } : save;
      return;
    }
    this.running = this.reload(save).finally(() => {
      this.running = undefined;
      const next = this.queued;
      this.queued = undefined;
      if (next) this.saved(next);
    });
  }

  private async reload(save: Save): Promise<void> {
    const what = save.files.join(', ');
    try {
      const outcome = await this.attempt(save);
      if (outcome === 'stopped') return;
      this.lastFailure = undefined;
      this.write(outcome);
    } catch (error) {
      // Saving again retries, even unchanged: what failed may be outside the files (a table, deleted since as the error says).
      this.watcher.retry();
      const message = error instanceof ReloadFailure || error instanceof LocalError ? error.message : `Unexpected error: ${error instanceof Error ? error.stack : String(error)}`;
      if (message === this.lastFailure) {
        this.write(`${time()} Not reloaded after a change to ${what}: the same error as above; still serving the previous version.\n`);
      } else {
        this.lastFailure = message;
        this.write(`${time()} Not reloaded after a change to ${what}; still serving the previous version:\n${indent(message)}\n`);
      }
    }
  }

  /** One reload; resolves with the block to print, or 'stopped' if the server is stopping. */
  private async attempt(save: Save): Promise<string | 'stopped'> {
    const { options } = this;
    // The synth is ended as soon as the type check fails (or the server stops): its result would not be used.
    const giveUp = new AbortController();
    const stop = AbortSignal.any([options.stop, giveUp.signal]);
    const synth = synthesize(stop, { capture: true }).catch((error: unknown) => error as Error);
    const check = await this.checker.check();
    if (check.kind === 'checked') {
      this.watcher.watchAlso(check.files);
      if (check.errors.length > 0) {
        giveUp.abort();
        await synth;
        throw new ReloadFailure(check.errors.join('\n'));
      }
    }
    const synthesized = await synth;
    if (synthesized === 'stopped') return 'stopped';
    if (synthesized instanceof SynthError) throw new ReloadFailure(synthesized.output?.trim() || synthesized.message);
    if (synthesized instanceof Error) throw synthesized;

    const stackFile = findStackFile(options.stackLocation);
    const json = readJson(stackFile);
    const current = options.current();
    const model = loadStack(stackFile, { baseUrl: options.baseUrl });
    if (model.region !== current.model.region) {
      throw new ReloadFailure(
        `The stack's region is now ${model.region}, not ${current.model.region}: the embedded DynamoDB and the functions keep the region the server started with. ` +
          'Stop the server and start it again to serve the new region.',
      );
    }
    const next = new ServedStack(model, options.serve, current);
    const changes = stackChanges({ json: this.json, code: current.codeDigests }, { json, code: next.codeDigests });
    const tables = await options.dynamodb.declareTables(model.tables);
    if (changes.length === 0 && tables.otherKeys.length === 0) {
      // Nothing to swap: the version served is this one (a comment, say, changes no byte of the stack).
      await next.discard();
      const created = tables.created.length > 0 ? ` The embedded DynamoDB created table ${tables.created.join(', ')} again.` : '';
      return `${time()} No change to the stack after a change to ${save.files.join(', ')}: serving it as before.${created}\n`;
    }
    if (tables.otherKeys.length > 0) {
      await next.discard();
      throw new ReloadFailure(
        tables.otherKeys
          .map(
            ({ table, stored, declared }) =>
              `The table ${table} in the embedded DynamoDB has ${stored}, but the stack now declares ${declared}; the server changes no table that holds data. ` +
              `To start it anew, delete it (aws dynamodb delete-table --table-name ${table} --endpoint-url ${options.dynamodb.endpoint}), then save again; or keep its keys.`,
          )
          .join('\n'),
      );
    }
    let failures: InitFailure[];
    try {
      failures = await next.start();
    } catch (error) {
      await next.discard();
      throw error;
    }
    if (options.stop.aborted) {
      await next.discard();
      return 'stopped';
    }
    options.swap(next);
    this.json = json;
    const seconds = ((performance.now() - save.at) / 1000).toFixed(2);
    const what = save.files.join(', ');
    const removedTables = current.model.tables.filter((table) => !model.tables.some((t) => t.name === table.name)).map((table) => table.name);
    const notes = [
      ...tables.created.map((table) => `The embedded DynamoDB created table ${table}.`),
      ...removedTables.map((table) => `The embedded DynamoDB keeps table ${table} and its data: it deletes no table.`),
      ...failures.map(describeInitFailure),
      ...model.notices.filter((notice) => !current.model.notices.includes(notice)),
    ];
    return `${time()} Reloaded after a change to ${what}: serving the new version ${seconds} s after the save.\n${[...describeChanges(changes), ...notes.map((note) => `  ${note}`)].join('\n')}\n`;
  }

  private write(text: string): void {
    this.options.out.write(text);
  }
}

function readJson(stackFile: string): StackJson {
  return JSON.parse(fs.readFileSync(stackFile, 'utf8')) as StackJson;
}

/** The time of day, as the access log writes it. */
function time(): string {
  return new Date().toISOString().slice(11, 23);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
