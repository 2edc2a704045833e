/**
 * The contract between the handler and the REST API's integration responses.
 *
 * A non-proxy Lambda integration sees a function error only as the `errorMessage`
 * string, and picks the HTTP status by matching that string, whole, against each
 * integration response's `selection_pattern` (a Java regular expression). So the
 * handler writes the error class into `errorMessage`, and the stack derives its
 * patterns and templates from the same table. Both import this module: change it
 * here and both sides move together.
 *
 * Format: `<Class>: <JSON body for the client>`, for example
 * `BadRequest: {"message":"Unknown operation: drop"}`. The body is JSON with
 * every line break escaped (Java's as well as JavaScript's), so `.` in the
 * patterns matches all of it.
 */

/** Every error class the handler reports, with the HTTP status API Gateway answers. */
export const ERROR_CLASSES = {
  BadRequest: 400,
  Forbidden: 403,
  Conflict: 409,
  Throttled: 429,
  Internal: 500,
} as const;

export type ErrorClass = keyof typeof ERROR_CLASSES;

/** The message a client gets for an `Internal` error; details stay in the log. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/**
 * JSON.stringify escapes \n and \r but leaves these as they are, and Java's `.`
 * does not match them: a message holding one would match no selection pattern.
 */
const JAVA_LINE_BREAKS = /[\u0085\u2028\u2029]/g;

/** The character as a JSON `\\uXXXX` escape. */
export function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Builds the `errorMessage` of a function error of class `errorClass`. */
export function formatErrorMessage(errorClass: ErrorClass, message: string): string {
  return `${errorClass}: ${JSON.stringify({ message }).replace(JAVA_LINE_BREAKS, unicodeEscape)}`;
}

/** The integration responses the stack declares for function errors, one per status. */
export interface ErrorResponseSpec {
  readonly statusCode: string;
  /** Java regular expression, matched against the whole `errorMessage`. */
  readonly selectionPattern: string;
  /** `application/json` mapping template (Velocity) giving the client `{"message": "..."}`. */
  readonly responseTemplate: string;
}

const CLIENT_CLASSES = (Object.keys(ERROR_CLASSES) as ErrorClass[]).filter((c) => c !== 'Internal');

/** Java's flag for "`.` matches line breaks too". */
const DOTALL = '(?s)';

/**
 * A client-error class answers with the JSON body the handler wrote after the tag.
 * Everything else (the `Internal` class, and failures the handler never saw, such
 * as a timeout or an out-of-memory crash) answers 500 with a fixed message, so no
 * stack trace or internal detail ever reaches a client.
 */
export const ERROR_RESPONSES: readonly ErrorResponseSpec[] = [
  ...CLIENT_CLASSES.map((errorClass) => ({
    statusCode: String(ERROR_CLASSES[errorClass]),
    selectionPattern: `${errorClass}: [{].*`,
    // `Class: ` is errorClass.length + 2 characters; substring() is both Java's and JavaScript's.
    responseTemplate: `$input.path('$.errorMessage').substring(${errorClass.length + 2})`,
  })),
  {
    statusCode: String(ERROR_CLASSES.Internal),
    // `.+`, not `.*`: API Gateway matches a successful invocation's (absent)
    // errorMessage as the empty string, which `.*` would turn into a 500.
    selectionPattern: `${DOTALL}(?!(?:${CLIENT_CLASSES.join('|')}): [{]).+`,
    responseTemplate: JSON.stringify({ message: INTERNAL_ERROR_MESSAGE }),
  },
];
