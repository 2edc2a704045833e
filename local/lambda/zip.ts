/**
 * Unpacks a function's deployment package (a plain zip: stored or deflated
 * entries), so the server runs the very files Terraform uploads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { LocalError } from '../shared/local-error';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_ENTRY = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/** Writes every file of the zip `zipFile` under `targetDir`, checking each entry's CRC. */
export function extractZip(zipFile: string, targetDir: string): void {
  const zip = fs.readFileSync(zipFile);
  const fail = (what: string) => new LocalError(`${zipFile} is not a zip the local server can read: ${what}. Run \`npm run synth\` again.`);
  // The end record is the last 22 bytes, plus a comment of up to 64 KiB.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw fail('no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const root = path.resolve(targetDir);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_ENTRY) throw fail(`entry ${n} of the central directory is damaged`);
    const method = zip.readUInt16LE(offset + 10);
    const crc = zip.readUInt32LE(offset + 16);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;

    const target = path.resolve(root, name);
    if (!target.startsWith(root + path.sep)) throw fail(`entry ${JSON.stringify(name)} would be written outside the package`);
    if (name.endsWith('/')) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    if (zip.readUInt32LE(localOffset) !== LOCAL_ENTRY) throw fail(`the local header of ${JSON.stringify(name)} is damaged`);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    let data: Buffer;
    if (method === STORED) data = raw;
    else if (method === DEFLATED) data = zlib.inflateRawSync(raw);
    else throw fail(`${JSON.stringify(name)} uses compression method ${method} (only stored and deflated are read)`);
    if (zlib.crc32(data) !== crc) throw fail(`the CRC of ${JSON.stringify(name)} does not match its contents`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, data);
  }
}
