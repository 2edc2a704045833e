/**
 * Test double, preloaded into the local server (NODE_OPTIONS=--require): in the
 * embedded DynamoDB's worker thread only, dynalite's GetItem throws out of a
 * callback for the key id "end-the-worker", which ends the thread as an unforeseen
 * dynalite bug would. No known request does that any more (the front refuses the
 * ones that did), so the worker's replacement after a crash needs this stand-in.
 *
 * In the main thread it only passes itself on to that worker (a worker given an
 * `env` of its own does not read NODE_OPTIONS).
 */
const { isMainThread, workerData } = require('node:worker_threads');

/** The workerData the server gives its DynamoDB worker (local/dynamodb/protocol.ts). */
const isDynamoDBWorkerData = (data) => Boolean(data) && data.state instanceof SharedArrayBuffer && Array.isArray(data.tables);

if (isMainThread) {
  const threads = require('node:worker_threads');
  const Worker = threads.Worker;
  threads.Worker = class extends Worker {
    constructor(filename, options = {}) {
      const preload = isDynamoDBWorkerData(options.workerData) ? ['--require', __filename] : [];
      super(filename, { ...options, execArgv: [...(options.execArgv ?? process.execArgv), ...preload] });
    }
  };
} else if (isDynamoDBWorkerData(workerData)) {
  const path = require('node:path');
  const file = path.join(path.dirname(require.resolve('dynalite')), 'actions', 'getItem.js');
  const getItem = require(file);
  require.cache[file].exports = function endTheWorkerOnCue(store, data, cb) {
    if (data.Key && data.Key.id && data.Key.id.S === 'end-the-worker') {
      setImmediate(() => {
        throw new Error('injected failure in dynalite');
      });
      return;
    }
    getItem(store, data, cb);
  };
}
