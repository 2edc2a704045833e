/**
 * What a debugger does with a source map (version 3): from a line of an original
 * source to the generated positions it maps to, to set a breakpoint there. The way
 * back, from a paused position to the original, is Node.js's own `SourceMap`
 * (node:module), an implementation independent of this one.
 */
import * as fs from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface Mapping {
  /** 0-based, as the Chrome DevTools Protocol counts. */
  readonly generatedLine: number;
  readonly generatedColumn: number;
  readonly source: string;
  readonly originalLine: number;
  readonly originalColumn: number;
}

interface Payload {
  readonly sources: readonly string[];
  readonly mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Every mapping of the map, decoded from its Base64 VLQ `mappings`. */
export function mappings(payload: Payload): Mapping[] {
  const found: Mapping[] = [];
  let source = 0;
  let originalLine = 0;
  let originalColumn = 0;
  payload.mappings.split(';').forEach((line, generatedLine) => {
    let generatedColumn = 0;
    for (const segment of line.split(',').filter(Boolean)) {
      const fields = decodeVlq(segment);
      generatedColumn += fields[0];
      if (fields.length < 4) continue;
      source += fields[1];
      originalLine += fields[2];
      originalColumn += fields[3];
      found.push({ generatedLine, generatedColumn, source: payload.sources[source], originalLine, originalColumn });
    }
  });
  return found;
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

/** The source map at `url` (a file: URL, as a script's sourceMapURL names it). */
export function readSourceMap(url: string): Payload & { readonly map: SourceMap } {
  const payload = JSON.parse(fs.readFileSync(fileURLToPath(url), 'utf8')) as Payload;
  return { ...payload, map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]) };
}
