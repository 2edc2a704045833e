/**
 * A problem the user has to fix before the local server can run: a bad setting, a
 * missing or unsupported stack, a busy port. Its message is printed as it is, so it
 * says what happened, shows the value at fault and how to fix it.
 */
export class LocalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalError';
  }
}

/** Prints `error` for a person and ends the process: a LocalError as its message alone, anything else with its stack. */
export function exitWithError(error: unknown): never {
  if (error instanceof LocalError) {
    process.stderr.write(`Error: ${error.message}\n`);
  } else {
    process.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
}
