/**
 * Starts and stops the embedded DynamoDB (./dynamodb-worker) from the main thread.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { LocalError } from './errors';
import { clientHost, urlHost } from './settings';
import { LOCAL_ACCOUNT_ID, type TableModel } from './stack-model';

export interface DynamoDBWorkerData {
  readonly host: string;
  /** The address the worker itself uses to reach its server (loopback when `host` is a wildcard). */
  readonly clientHost: string;
  readonly port: number;
  /** undefined: in memory only. */
  readonly dataDir: string | undefined;
  readonly tables: readonly TableModel[];
}

export type FromDynamoDBWorker =
  | { readonly kind: 'ready'; readonly created: readonly string[] }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'stopped' };

export interface DynamoDBOptions {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string | undefined;
  readonly tables: readonly TableModel[];
  readonly region: string;
}

const WORKER_BOOTSTRAP = `require(${JSON.stringify(path.join(__dirname, '..', 'scripts', 'ts-register.js'))});
require(${JSON.stringify(path.join(__dirname, 'dynamodb-worker.ts'))});`;

/** How long a graceful stop may take before the worker is ended anyway; every write is on disk already. */
const STOP_TIMEOUT_MS = 3000;

export class EmbeddedDynamoDB {
  /** URL clients on this machine use, e.g. for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;

  private constructor(
    private readonly worker: Worker,
    options: DynamoDBOptions,
    /** Tables this start created (the others existed in DATA_DIR). */
    readonly created: readonly string[],
  ) {
    this.endpoint = `http://${urlHost(clientHost(options.host))}:${options.port}`;
  }

  static async start(options: DynamoDBOptions): Promise<EmbeddedDynamoDB> {
    const workerData: DynamoDBWorkerData = {
      host: options.host,
      clientHost: clientHost(options.host),
      port: options.port,
      dataDir: options.dataDir,
      tables: options.tables,
    };
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      workerData,
      // dynalite builds its ARNs from these.
      env: { AWS_REGION: options.region, AWS_ACCOUNT_ID: LOCAL_ACCOUNT_ID },
    });
    const first = await new Promise<FromDynamoDBWorker>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the embedded DynamoDB exited with code ${code} while starting`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (message: FromDynamoDBWorker) => {
        // Only these: removeAllListeners would also drop the Worker's own, which keep its port alive.
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve(message);
      });
    });
    if (first.kind !== 'ready') {
      await worker.terminate();
      throw new LocalError(first.kind === 'failed' ? first.message : 'the embedded DynamoDB stopped while starting');
    }
    return new EmbeddedDynamoDB(worker, options, first.created);
  }

  /** Closes the HTTP server and the database (LevelDB closes cleanly), then ends the worker. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      this.worker.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.worker.postMessage('stop');
    });
    await this.worker.terminate();
  }
}
