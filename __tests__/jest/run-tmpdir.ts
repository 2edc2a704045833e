/** Names the test run's own temporary directory, from global setup to global teardown. */
export const RUN_TMPDIR_VARIABLE = 'LAMBDA_APIGATEWAY_TEST_RUN_TMPDIR';

/**
 * What Node.js itself keeps in the temporary directory: the module compile cache
 * npm 11 turns on under Node.js 22 and later. A cache meant to outlive the run, not
 * a test's leftover.
 */
export const NODE_OWN_ENTRIES: ReadonlySet<string> = new Set(['node-compile-cache']);
