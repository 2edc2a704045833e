/**
 * API Gateway's execution log of one request: what it did, step by step, in its
 * own words (method request, endpoint request before and after the request
 * template, the endpoint's response, the method response after the response
 * template, how the method completed). The gateway's pipeline writes it as it
 * runs (./gateway); TestInvokeMethod returns it (`Execution log for request ...`,
 * each line after a Java-style date), and `npm start -- --verbose` prints it as
 * CloudWatch shows it (each line after the request id in parentheses).
 *
 * One line is this server's own: which integration response a function error
 * selected, by which selection pattern (API Gateway only shows the outcome).
 */

interface Entry {
  readonly at: Date;
  readonly text: string;
}

export class ExecutionLog {
  private readonly entries: Entry[] = [];
  /** The invocation's log as Lambda files it, when the request reached a function (the console page shows it). */
  functionLog: string | undefined;

  constructor(readonly requestId: string) {}

  add(text: string): void {
    this.entries.push({ at: new Date(), text });
  }

  /** The log TestInvokeMethod answers with. */
  testInvokeText(): string {
    return `Execution log for request ${this.requestId}\n${this.entries.map(({ at, text }) => `${javaDate(at)} : ${text}\n`).join('')}`;
  }

  /** The log as CloudWatch's execution log group shows it, one line per entry. */
  cloudWatchText(): string {
    return this.entries.map(({ text }) => `(${this.requestId}) ${text}\n`).join('');
  }
}

/** Headers or parameters as API Gateway's log writes a map: `{Name=value, Other=value}`. */
export function logMap(entries: Iterable<readonly [string, unknown]>): string {
  return `{${[...entries].map(([name, value]) => `${name}=${Array.isArray(value) ? value.join(',') : String(value)}`).join(', ')}}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java's Date.toString() in UTC, as test invoke logs date their lines: `Sat Mar 05 15:50:39 UTC 2022`. */
function javaDate(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
  return `${DAYS[at.getUTCDay()]} ${MONTHS[at.getUTCMonth()]} ${two(at.getUTCDate())} ${time} UTC ${at.getUTCFullYear()}`;
}
