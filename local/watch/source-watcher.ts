/**
 * Watches the files the synth reads (./sources) and reports each save once: the
 * events an editor's save makes (a temporary file, a rename, several writes) are
 * gathered until QUIET_MS pass without another, and a save that leaves a file as
 * it was (touched, or written twice) reports nothing, except after a failed reload
 * (retry()): saving again is then how to try again.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSource, ROOT_FILES, SOURCE_DIRS } from './sources';

/** How long the files must be left alone before a save is reported: an editor's writes of one save come closer together. */
export const QUIET_MS = 40;

export interface Save {
  /** The changed files, relative to the project's root. */
  readonly files: readonly string[];
  /** When the first event of the save arrived (performance.now()): the save, as near as can be told. */
  readonly at: number;
}

export class SourceWatcher {
  /** A watcher per directory: Node.js's recursive watching on Linux loses a file that an editor saves by renaming another over it. */
  private readonly watchers = new Map<string, fs.FSWatcher>();
  /** Each source file's content digest as last reported (undefined: absent). */
  private readonly digests = new Map<string, string | undefined>();
  private changed = new Set<string>();
  private firstAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Files outside SOURCE_DIRS that the synth reads too (the type checker says which). */
  private readonly extraFiles = new Set<string>();
  /** Whether the next save is reported even if it leaves its files as they were. */
  private retrying = false;

  constructor(
    private readonly projectDir: string,
    private readonly onSave: (save: Save) => void,
  ) {
    this.watch(projectDir);
    for (const file of ROOT_FILES) this.digests.set(file, digest(path.join(projectDir, file)));
    for (const dir of SOURCE_DIRS) this.watchTree(path.join(projectDir, dir));
  }

  /** Also watches `files` (relative to the project's root), which the synth reads though they are outside SOURCE_DIRS. */
  watchAlso(files: readonly string[]): void {
    for (const file of files) {
      if (isSource(file) || this.extraFiles.has(file)) continue;
      this.extraFiles.add(file);
      this.digests.set(file, digest(path.join(this.projectDir, file)));
      this.watch(path.dirname(path.join(this.projectDir, file)));
    }
  }

  /**
   * Reports the next save even if it leaves its files as they were: after a reload
   * that failed for what is outside the files (a table whose keys changed, deleted
   * since), saving a file again, unchanged, retries it.
   */
  retry(): void {
    this.retrying = true;
  }

  close(): void {
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  /** Watches `dir` and every directory below it, and records the digests of the source files there. */
  private watchTree(dir: string): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // Not there (any more).
    }
    this.watch(dir);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const file = path.relative(this.projectDir, full);
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') this.watchTree(full);
      else if (entry.isFile() && isSource(file) && !this.digests.has(file)) this.digests.set(file, digest(full));
    }
  }

  private watch(dir: string): void {
    if (this.watchers.has(dir)) return;
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(dir, (_event, name) => name !== null && this.noticed(dir, name.toString()));
    } catch {
      return;
    }
    // A directory that goes away (renamed, deleted) ends its watcher; the others go on.
    watcher.on('error', () => {
      watcher.close();
      this.watchers.delete(dir);
    });
    this.watchers.set(dir, watcher);
  }

  private noticed(dir: string, name: string): void {
    const full = path.join(dir, name);
    const file = path.relative(this.projectDir, full);
    // A directory created (or moved in) under a source directory: its files are sources too.
    if (dir !== this.projectDir && !this.watchers.has(full) && isDirectory(full)) {
      this.watchTree(full);
      return;
    }
    if (!isSource(file) && !this.extraFiles.has(file)) return;
    if (this.changed.size === 0) this.firstAt = performance.now();
    this.changed.add(file);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(), QUIET_MS);
  }

  private settle(): void {
    const files = [...this.changed].filter((file) => {
      const now = digest(path.join(this.projectDir, file));
      const changed = now !== this.digests.get(file);
      this.digests.set(file, now);
      return changed || this.retrying;
    });
    this.changed = new Set();
    if (files.length === 0) return;
    this.retrying = false;
    this.onSave({ files: files.sort(), at: this.firstAt });
  }
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** A file's content digest, or undefined when it does not exist (deleted, or mid-rename). */
function digest(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('base64');
  } catch {
    return undefined;
  }
}
