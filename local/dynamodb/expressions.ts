/**
 * Scans of a DynamoDB expression for what its limits refuse (./limits): one pass
 * each, never recursion, whatever the expression nests, since dynalite's own parser
 * takes exponential time in nesting.
 */

/**
 * True when the expression ends with a parenthesis still open, as in `((a = :v`:
 * a syntax error at its end for DynamoDB, and hours of backtracking for dynalite's
 * parser. An extra `)` is left to the parser, which finds it at once.
 */
export function hasUnclosedParenthesis(expression: string): boolean {
  let depth = 0;
  for (const c of expression) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth > 0;
}

/**
 * True when a pair of parentheses directly encloses another pair and nothing else,
 * as in `((a = :v))`: DynamoDB refuses those as redundant. One pass, matching pairs
 * with a stack; an unbalanced expression is left to the parser's syntax error.
 */
export function hasRedundantParentheses(expression: string): boolean {
  const open: number[] = [];
  const closeOf = new Map<number, number>();
  for (let i = 0; i < expression.length; i++) {
    if (expression[i] === '(') open.push(i);
    else if (expression[i] === ')') {
      const start = open.pop();
      if (start === undefined) return false;
      closeOf.set(start, i);
    }
  }
  for (const [start, end] of closeOf) {
    const inner = skipSpaces(expression, start + 1);
    const innerEnd = closeOf.get(inner);
    if (innerEnd !== undefined && skipSpaces(expression, innerEnd + 1) === end) return true;
  }
  return false;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

const NAME_START = /[A-Za-z#_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/** The most elements any document path of `expression` has (`a.#b[2]` has 3); one pass. */
export function deepestDocumentPath(expression: string): number {
  let deepest = 0;
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (c === ':') {
      // A value placeholder, never part of a path.
      i++;
      while (i < expression.length && NAME_PART.test(expression[i])) i++;
    } else if (NAME_START.test(c)) {
      let levels = 1;
      i = skipName(expression, i);
      for (;;) {
        const next = skipSpaces(expression, i);
        if (expression[next] === '.') {
          levels++;
          i = skipName(expression, skipSpaces(expression, next + 1));
        } else if (expression[next] === '[') {
          levels++;
          const close = expression.indexOf(']', next);
          i = close < 0 ? expression.length : close + 1;
        } else break;
      }
      if (levels > deepest) deepest = levels;
    } else i++;
  }
  return deepest;
}

function skipName(text: string, from: number): number {
  let i = from;
  if (text[i] === '#') i++;
  while (i < text.length && NAME_PART.test(text[i])) i++;
  return i;
}
