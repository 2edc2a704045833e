/**
 * `npm start -- --watch` where TypeScript is not installed (`npm ci --omit=dev`
 * leaves out the dev dependency `typescript`): watch mode says once that type
 * checks are off and why, and goes on serving each save, unchecked. The user's
 * node_modules here is this checkout's, package by package, without `typescript`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../../scripts/support/free-port';
import { type NpmProcess, startNpm } from '../helpers/npm';
import { type UserCheckout, userCheckout } from '../../scripts/support/user-checkout';
import { cleanUp, curlPost } from './harness';

let checkout: UserCheckout;
let run: NpmProcess | undefined;

afterAll(async () => {
  await run?.stop();
  cleanUp();
  checkout?.remove();
});

test('without TypeScript installed, watch mode says type checks are off and how to turn them on, and serves a save unchecked', async () => {
  checkout = userCheckout('watch-no-ts', { withoutPackages: ['typescript'] });
  // As after npm ci --omit=dev: nothing the project runs from finds TypeScript.
  const resolve = spawnSync(process.execPath, ['-e', "require.resolve('typescript')"], { cwd: path.join(checkout.dir, 'local', 'watch'), encoding: 'utf8' });
  expect(resolve.stderr).toContain("Cannot find module 'typescript'");

  const [port, dynamodbPort] = [await freePort(), await freePort()];
  run = startNpm(checkout.dir, 'start', ['--watch', '--in-memory'], { env: { PORT: String(port), DYNAMODB_PORT: String(dynamodbPort) } });
  await run.waitFor('Ready on ', 180_000);
  const notice = 'Watch mode: type checks are off: TypeScript is not installed (npm install without --omit=dev installs it).\n';
  await run.waitFor(notice);
  const api = `http://127.0.0.1:${port}/prod/DynamoDBManager`;
  expect(await curlPost(api, '{"operation":"ping"}')).toMatchObject({ status: 200, body: '"pong"' });

  // A type error that runs: unchecked, it is served.
  const handler = path.join(checkout.dir, 'function', 'index.ts');
  const text = fs.readFileSync(handler, 'utf8');
  if (!text.includes("ping: () => 'pong',")) throw new Error(`${handler} no longer answers ping with 'pong'`);
  fs.writeFileSync(handler, text.replace("ping: () => 'pong',", "ping: (): number => 'pong, unchecked',"));
  await run.waitFor(/Reloaded after a change to function\/index\.ts: serving the new version \d+\.\d\d s after the save\.\n {2}~ aws_lambda_function\.function \(code\)\n/, 90_000);
  expect(await curlPost(api, '{"operation":"ping"}')).toMatchObject({ status: 200, body: '"pong, unchecked"' });
  expect(run.output()).not.toContain('error TS');
  expect(run.output().split(notice)).toHaveLength(2);
}, 300_000);
