/**
 * API Gateway's selection patterns are Java regular expressions, matched against
 * the whole errorMessage (Java's `Pattern.matches`). This turns one into a
 * JavaScript RegExp with the same meaning, or refuses it when the two dialects
 * would disagree and there is no faithful translation.
 */
import { LocalError } from '../shared/local-error';

/** Java's `.` without DOTALL: anything but its line terminators (JavaScript's `.` lets U+0085 through). */
const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';

/** Java's `\s`, ASCII whitespace only (JavaScript's also takes Unicode spaces), and its complement, as class contents. */
const JAVA_SPACE = ' \\t\\n\\x0B\\f\\r';
const JAVA_NON_SPACE = '\\x00-\\x08\\x0E-\\x1F\\x21-\\uFFFF';

/**
 * Java's `^` and `$` under MULTILINE, spelled out: JavaScript's `m` flag would also
 * turn the whole-match anchors and \A / \z into line anchors, and its lines differ
 * (no U+0085; a boundary inside \r\n). Java's `^` never matches at the end of the
 * input, even after a line terminator; its `$` does.
 */
const JAVA_MULTILINE_CARET = '(?:(?:(?<![\\s\\S])|(?<=[\\n\\u0085\\u2028\\u2029])|(?<=\\r)(?!\\n))(?=[\\s\\S]))';
const JAVA_MULTILINE_DOLLAR = '(?=[\\r\\u0085\\u2028\\u2029]|(?<!\\r)\\n|(?![\\s\\S]))';

/** Java escapes with no JavaScript counterpart of the same meaning, mapped to equivalent classes. */
const JAVA_ESCAPES: Readonly<Record<string, string>> = {
  h: '[ \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]',
  H: '[^ \\t\\xA0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000]',
  A: '^',
  z: '$',
  s: `[${JAVA_SPACE}]`,
  S: `[${JAVA_NON_SPACE}]`,
};

/**
 * Compiles the Java pattern `pattern` into a RegExp that matches a whole string
 * exactly when Java's `Pattern.matches(pattern, string)` would.
 * @param where names the pattern's origin for error messages.
 */
export function compileSelectionPattern(pattern: string, where: string): RegExp {
  let flags = '';
  let body = pattern;
  // Leading inline flags, the only place they are common in selection patterns.
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (inline) {
    for (const flag of inline[1]) {
      if (flag === 'i' || flag === 's' || flag === 'm') flags += flag;
      else throw unsupported(pattern, where, `the inline flag (?${flag})`);
    }
    body = body.slice(inline[0].length);
  }
  const dotAll = flags.includes('s');
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const next = body[i + 1];
      if (next === undefined) throw unsupported(pattern, where, 'a trailing backslash');
      if (next === 'Q') {
        // \Q...\E quotes everything in between.
        const end = body.indexOf('\\E', i + 2);
        const quoted = body.slice(i + 2, end < 0 ? body.length : end);
        out += quoted.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? body.length : end + 1;
        continue;
      }
      if (next === 'p' || next === 'P' || next === 'Z' || next === 'G' || next === 'R' || next === 'X') {
        throw unsupported(pattern, where, `\\${next}`);
      }
      if (!inClass && Object.hasOwn(JAVA_ESCAPES, next)) out += JAVA_ESCAPES[next];
      else if (inClass && next === 's') out += JAVA_SPACE;
      else if (inClass && next === 'S') out += JAVA_NON_SPACE;
      else if (inClass && (next === 'h' || next === 'H')) throw unsupported(pattern, where, `\\${next} inside a character class`);
      else out += c + next;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' || (c === '&' && body[i + 1] === '&')) throw unsupported(pattern, where, 'a character class union or intersection');
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in both dialects; keep it from closing the class.
      if (body[i + 1] === '^') out += body[++i];
      if (body[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && body[i + 1] === '?' && body[i + 2] === '>') throw unsupported(pattern, where, 'an atomic group (?>...)');
    if ((c === '+' || c === '*' || c === '?' || c === '}') && body[i + 1] === '+') {
      throw unsupported(pattern, where, 'a possessive quantifier');
    }
    if (multiline && c === '^') out += JAVA_MULTILINE_CARET;
    else if (multiline && c === '$') out += JAVA_MULTILINE_DOLLAR;
    else out += c === '.' ? (dotAll ? '[\\s\\S]' : JAVA_DOT) : c;
  }
  try {
    return new RegExp(`^(?:${out})$`, flags.includes('i') ? 'i' : '');
  } catch (error) {
    throw unsupported(pattern, where, `what JavaScript reports as: ${(error as Error).message}`);
  }
}

function unsupported(pattern: string, where: string, what: string): LocalError {
  return new LocalError(
    `${where} has the selection pattern ${JSON.stringify(pattern)}, which uses ${what}; the local server cannot match it as Java does. ` +
      'Rewrite the pattern with the common subset of Java and JavaScript regular expressions.',
  );
}
