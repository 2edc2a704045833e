/**
 * The project's layering, checked on every `npm test` (__tests__/structure.test.ts).
 * The one seam: constructs/ make the synthesized JSON (cdktf.out), and local/ reads
 * it; neither imports the other. Type-only imports count: a cycle of types is still a
 * cycle for the next person reading the code.
 */
const PRODUCT = '^(main\\.ts|constructs/|function/|local/)';
/** Watch mode's type checker: product code that uses a dev dependency, TypeScript, and goes without it. */
const WATCH_TYPE_CHECKER = '^local/watch/type-check-worker\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module must not import itself through others: each part can be read, and changed, from the bottom up.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'function-standalone',
      comment: 'function/ is bundled alone into the Lambda package: it imports only function/ and npm packages.',
      severity: 'error',
      from: { path: '^function/' },
      to: { path: '^(main\\.ts|constructs/|local/|scripts/|__tests__/|package\\.json)' },
    },
    {
      name: 'local-reads-the-synthesized-json-only',
      comment: 'local/ serves what cdktf.out declares, never what the constructs or the handler say: it imports neither (nor main.ts).',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^(main\\.ts|constructs/|function/)' },
    },
    {
      name: 'constructs-do-not-know-the-local-server',
      comment: 'constructs/ make the stack; the local server is one reader of it among others (Terraform).',
      severity: 'error',
      from: { path: '^constructs/' },
      to: { path: '^local/' },
    },
    {
      name: 'product-does-not-import-dev-support',
      comment: 'What ships (the app, constructs, handler, local server) imports no test and no script.',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^(scripts/|__tests__/)' },
    },
    {
      name: 'scripts-do-not-import-tests',
      comment: 'Scripts and benchmarks share helpers with the tests through scripts/support/, never by importing __tests__/.',
      severity: 'error',
      from: { path: '^scripts/' },
      to: { path: '^__tests__/' },
    },
    {
      name: 'product-does-not-use-dev-dependencies',
      comment: 'npm ci --omit=dev must leave what ships working. The one exception is the next rule.',
      severity: 'error',
      from: { path: PRODUCT, pathNot: WATCH_TYPE_CHECKER },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'watch-type-checker-uses-typescript-only',
      comment:
        "Watch mode's type checker runs the project's TypeScript, a dev dependency: watch mode is a development feature, and " +
        'without TypeScript (npm ci --omit=dev) it says type checks are off and serves unchecked (local/watch/type-checker.ts). No other dev dependency.',
      severity: 'error',
      from: { path: WATCH_TYPE_CHECKER },
      to: { dependencyTypes: ['npm-dev'], pathNot: '^node_modules/typescript/' },
    },
    {
      name: 'local-shared-is-shared',
      comment: 'local/shared/ holds helpers the services share; it depends on none of them.',
      severity: 'error',
      from: { path: '^local/shared/' },
      to: { path: '^local/', pathNot: '^local/shared/' },
    },
    {
      name: 'local-stack-is-the-model',
      comment: 'local/stack/ reads the synthesized JSON into the model the services are built from; it knows none of them.',
      severity: 'error',
      from: { path: '^local/stack/' },
      to: { path: '^local/', pathNot: '^local/(stack|shared)/' },
    },
    {
      name: 'local-services-stand-alone',
      comment:
        'A service (lambda/, dynamodb/) uses the model and the shared helpers, not another service; the wiring is server.ts and invoke.ts at the top.',
      severity: 'error',
      from: { path: '^local/(lambda|dynamodb)/' },
      to: { path: '^local/', pathNot: '^local/(stack|shared)/|^local/$1/' },
    },
    {
      name: 'apigateway-invokes-lambda-only',
      comment: "API Gateway's Lambda integrations invoke through the Lambda runtime, as in AWS: that is the one service apigateway/ uses.",
      severity: 'error',
      from: { path: '^local/apigateway/' },
      to: { path: '^local/', pathNot: '^local/(stack|shared|lambda|apigateway)/' },
    },
    {
      name: 'console-is-a-client-of-the-services',
      comment:
        "local/console/ is the page that drives the services as the AWS console's Test tabs do: it uses API Gateway's test invoke and the Lambda runtime, and reads DynamoDB over its HTTP endpoint like any client.",
      severity: 'error',
      from: { path: '^local/console/' },
      to: { path: '^local/', pathNot: '^local/(stack|shared|lambda|apigateway|console)/' },
    },
    {
      name: 'only-the-server-serves-the-console',
      comment: 'The console page exists on the local server only (server.ts and the version it serves, served-stack.ts, decide where): no service depends on it.',
      severity: 'error',
      from: { path: '^local/', pathNot: '^local/(server\\.ts|served-stack\\.ts|console/)' },
      to: { path: '^local/console/' },
    },
  ],
  options: {
    // Not followed, but not excluded either: the rules about dependencies see each import of an npm package.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdktf\\.out|dist|coverage|\\.ci)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
  },
};
