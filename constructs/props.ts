/**
 * How a construct checks its props, before it resolves its defaults and creates
 * anything (aws-cdk's order): each prop that is set, and not a token resolved only
 * at synth or apply, must follow its rule, or the construct throws a PropsError
 * naming the construct, the prop, the value and what is allowed. The rules are
 * AWS's own limits; config.ts turns the same rules into its checks of the
 * environment, so a construct used from another app fails as clearly as a bad
 * variable does.
 */
import { Token } from 'cdktf';
import type { Construct } from 'constructs';

/** What a prop's value may be: `allowed`, as messages say it, and the check. */
export interface PropRule<T> {
  readonly allowed: string;
  readonly accepts: (value: T) => boolean;
}

/** Rules for some of the props of `P`. */
export type PropRules<P> = { readonly [K in keyof P]?: PropRule<NonNullable<P[K]>> };

/** A prop a construct cannot use; its message is meant for the user as is. */
export class PropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PropsError';
  }
}

/**
 * Checks `props` against `rules`; `defaults` names the value a prop left out gets.
 * @throws PropsError for the first prop that breaks its rule.
 */
export function validateProps<P extends object>(construct: Construct, props: P, rules: PropRules<P>, defaults: Partial<P>): void {
  for (const name of Object.keys(rules) as (keyof P & string)[]) {
    const value = props[name];
    const rule = rules[name] as PropRule<unknown>;
    if (value === undefined || Token.isUnresolved(value) || rule.accepts(value)) continue;
    const fallback = defaults[name] === undefined ? '' : ` Leave it out for the default (${String(defaults[name])}).`;
    throw new PropsError(`${construct.constructor.name} ${construct.node.path}: ${name}=${JSON.stringify(value)} is not valid: expected ${rule.allowed}.${fallback}`);
  }
}

export const matching = (pattern: RegExp, allowed: string): PropRule<string> => ({ allowed, accepts: (value) => pattern.test(value) });

export const wholeNumberIn = (min: number, max: number, allowed: string): PropRule<number> => ({
  allowed,
  accepts: (value) => Number.isInteger(value) && value >= min && value <= max,
});

export const oneOf = <T>(values: readonly T[], allowed: string): PropRule<T> => ({ allowed, accepts: (value) => values.includes(value) });

/** The retention periods CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A log group's retention: the function's, and the REST API's access logs'. */
export const LOG_RETENTION_RULE: PropRule<number> = oneOf<number>(LOG_RETENTION_DAYS, `one of CloudWatch Logs' periods: ${LOG_RETENTION_DAYS.join(', ')}`);

/**
 * API Gateway gives up on an integration after 29 s; a function allowed to run
 * longer would keep working (and writing) after its caller got a 504.
 */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

/** A stage's name, the first segment of its invoke URL's path: the REST API's, and the one a usage plan admits keys to. */
export const STAGE_NAME_RULE = matching(/^[A-Za-z0-9_-]{1,128}$/, '1 to 128 characters from A-Z a-z 0-9 _ -');

/** Throttling, of a stage or of a usage plan's key: API Gateway's account limits bound both. */
export const THROTTLE_RATE_RULE = wholeNumberIn(1, 10000, 'a whole number of requests per second from 1 to 10000');
export const THROTTLE_BURST_RULE = wholeNumberIn(1, 5000, 'a whole number of requests from 1 to 5000');
