/**
 * The function runs on a Node.js of its runtime's major version, found as the
 * README says (LOCAL_LAMBDA_NODE, node22 on PATH, the version managers'
 * directories), and otherwise on the server's own Node.js with one clear notice;
 * `npm start` and `npm run invoke` alike.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectFunctionNode } from '../../local/lambda/function-node';
import { type NodeBinary, requireOtherNodeBinary } from '../helpers/node-binaries';
import { FIXTURE_DOCUMENT, writeFixtureStack } from './fixture-stack';
import { cleanUp, ROOT, request, type RunningServer, startServer, tempDir } from './harness';

type EditableDocument = { resource: Record<string, Record<string, Record<string, unknown>>> };

const OWN_MAJOR = Number(process.versions.node.split('.')[0]);
/** A runtime whose Node.js this machine lacks once HOME and PATH are emptied of version managers. */
const MISSING_MAJOR = OWN_MAJOR === 22 ? 24 : 22;

const other: NodeBinary | undefined = requireOtherNodeBinary('running the function on another Node.js');
const withOther = other ? test : test.skip;

function stackFor(major: number): string {
  const document: EditableDocument = structuredClone(FIXTURE_DOCUMENT);
  document.resource.aws_lambda_function.fn.runtime = `nodejs${major}.x`;
  return writeFixtureStack(document);
}

/** An environment in which no version manager, no nodeNN on PATH and no LOCAL_LAMBDA_NODE offer any Node.js. */
function bareEnvironment(): Record<string, string> {
  const home = tempDir('home');
  return {
    HOME: home,
    PATH: '/usr/bin:/bin',
    LOCAL_LAMBDA_NODE: '',
    NVM_DIR: path.join(home, 'nvm'),
    FNM_DIR: path.join(home, 'fnm'),
    VOLTA_HOME: path.join(home, 'volta'),
    ASDF_DATA_DIR: path.join(home, 'asdf'),
    MISE_DATA_DIR: path.join(home, 'mise'),
    XDG_DATA_HOME: path.join(home, 'share'),
    N_PREFIX: path.join(home, 'n'),
  };
}

/** Puts `binary` where a version manager would install `version`, under `root`. */
function install(root: string, versionsDir: string, version: string, binaryPath: string, binary: string): void {
  const target = path.join(root, versionsDir, version, binaryPath);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(binary, target);
}

const servers: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  cleanUp();
});

async function serve(stackDir: string, env: Record<string, string>): Promise<RunningServer> {
  const server = await startServer({ env: { STACK_DIR: stackDir, ...env }, args: ['--in-memory'] });
  servers.push(server);
  return server;
}

async function reportedNode(server: RunningServer): Promise<{ node: string; pid: number }> {
  const response = await request(`${server.url}/2015-03-31/functions/Fixture/invocations`, { method: 'POST', body: '{"environment":true}' });
  return JSON.parse(response.body);
}

describe('finding a Node.js of the runtime major', () => {
  // [manager, where its root goes in the environment, its versions directory, the binary under a version, the version's directory name]
  const layouts: [string, string, string, string, (v: string) => string][] = [
    ['nvm', 'NVM_DIR', 'versions/node', 'bin/node', (v) => v],
    ['fnm', 'FNM_DIR', 'node-versions', 'installation/bin/node', (v) => v],
    ['volta', 'VOLTA_HOME', 'tools/image/node', 'bin/node', (v) => v.slice(1)],
    ['asdf', 'ASDF_DATA_DIR', 'installs/nodejs', 'bin/node', (v) => v.slice(1)],
    ['mise', 'MISE_DATA_DIR', 'installs/node', 'bin/node', (v) => v.slice(1)],
    ['n', 'N_PREFIX', 'n/versions/node', 'bin/node', (v) => v.slice(1)],
  ];

  withOther.each(layouts)('in the directories of %s', (manager, variable, versionsDir, binaryPath, dirName) => {
    const env = bareEnvironment();
    install(env[variable], versionsDir, dirName(other!.version), binaryPath, other!.path);
    // An older release of the same major, and another major, are passed over.
    install(env[variable], versionsDir, dirName(`v${other!.major}.0.0`), binaryPath, '/nonexistent/node');
    install(env[variable], versionsDir, dirName(`v${OWN_MAJOR + 100}.0.0`), binaryPath, process.execPath);
    const found = selectFunctionNode(`nodejs${other!.major}.x`, env);
    expect(found).toEqual({ binary: path.join(env[variable], versionsDir, dirName(other!.version), binaryPath), version: other!.version, source: `${manager} (${env[variable]})`, fallbackNotice: undefined });
  });

  withOther('as nodeNN on PATH, before any version manager', () => {
    const env = bareEnvironment();
    const bin = tempDir('bin');
    fs.symlinkSync(other!.path, path.join(bin, `node${other!.major}`));
    install(env.NVM_DIR, 'versions/node', other!.version, 'bin/node', other!.path);
    const found = selectFunctionNode(`nodejs${other!.major}.x`, { ...env, PATH: `${bin}:${env.PATH}` });
    expect(found.source).toBe(`node${other!.major} on PATH (${path.join(bin, `node${other!.major}`)})`);
  });

  test("this server's own Node.js when it is of the runtime's major: no lookup, environments are its worker threads", () => {
    expect(selectFunctionNode(`nodejs${OWN_MAJOR}.x`, bareEnvironment())).toEqual({
      binary: undefined,
      version: process.version,
      source: "this server's own Node.js",
      fallbackNotice: undefined,
    });
  });
});

withOther("npm start runs the function on the runtime's Node.js found in nvm's directory, in environments of their own, and says so at startup", async () => {
  const env = bareEnvironment();
  install(env.NVM_DIR, 'versions/node', other!.version, 'bin/node', other!.path);
  const server = await serve(stackFor(other!.major), env);
  const reported = await reportedNode(server);
  expect(reported.node).toBe(other!.version);
  expect(reported.pid).not.toBe(server.process.pid);
  expect(server.output()).toContain(`    runs on Node.js ${other!.version}: nvm (${env.NVM_DIR})\n`);
  expect(server.output()).not.toContain('no Node.js');
});

withOther('LOCAL_LAMBDA_NODE names the Node.js that runs the function', async () => {
  const server = await serve(stackFor(other!.major), { ...bareEnvironment(), LOCAL_LAMBDA_NODE: other!.path });
  expect((await reportedNode(server)).node).toBe(other!.version);
  expect(server.output()).toContain(`    runs on Node.js ${other!.version}: LOCAL_LAMBDA_NODE\n`);
});

test("without a Node.js of the runtime's major, the function runs on the server's own, and startup says so once, with how to provide one", async () => {
  const document: EditableDocument = structuredClone(FIXTURE_DOCUMENT);
  document.resource.aws_lambda_function.fn.runtime = `nodejs${MISSING_MAJOR}.x`;
  // A second function of the same runtime: still one notice.
  document.resource.aws_lambda_function.twin = { ...document.resource.aws_lambda_function.fn, function_name: 'Twin' };
  const server = await serve(writeFixtureStack(document), bareEnvironment());
  expect((await reportedNode(server)).node).toBe(process.version);
  const notice =
    `The stack's nodejs${MISSING_MAJOR}.x functions run on this server's Node.js ${process.version}: no Node.js ${MISSING_MAJOR} was found ` +
    `(looked for LOCAL_LAMBDA_NODE, node${MISSING_MAJOR} on PATH, and in the directories of nvm, fnm, volta, asdf, mise and n). ` +
    `Install Node.js ${MISSING_MAJOR} with one of them, or set LOCAL_LAMBDA_NODE to the path of a Node.js ${MISSING_MAJOR} binary.`;
  expect(server.output().split(notice)).toHaveLength(2);
  expect(server.output()).toContain(`    runs on Node.js ${process.version}: this server's own Node.js, as no Node.js ${MISSING_MAJOR} was found\n`);
});

describe('npm run invoke', () => {
  const runInvoke = (stackDir: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ['-r', './scripts/ts-register.js', 'local/invoke.ts', '-'], {
      cwd: ROOT,
      input: '{"environment":true}',
      encoding: 'utf8',
      // Nothing listens there: the event needs no DynamoDB.
      env: { ...process.env, ...env, STACK_DIR: stackDir, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' },
    });

  test('finds the Node.js as npm start does, and says once which one it uses instead when there is none', () => {
    const result = runInvoke(stackFor(MISSING_MAJOR), bareEnvironment());
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).node).toBe(process.version);
    expect(result.stderr.match(new RegExp(`Note: The stack's nodejs${MISSING_MAJOR}\\.x functions run on this server's Node\\.js`, 'g'))).toHaveLength(1);
  });

  withOther('runs on LOCAL_LAMBDA_NODE', () => {
    const result = runInvoke(stackFor(other!.major), { ...bareEnvironment(), LOCAL_LAMBDA_NODE: other!.path });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).node).toBe(other!.version);
    expect(result.stderr).not.toContain("run on this server's Node.js");
  });
});
