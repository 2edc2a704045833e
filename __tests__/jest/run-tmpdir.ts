/** Names the test run's own temporary directory, from global setup to global teardown. */
export const RUN_TMPDIR_VARIABLE = 'LAMBDA_APIGATEWAY_TEST_RUN_TMPDIR';
