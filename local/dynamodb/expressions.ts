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

/** What DynamoDB counts in an expression against its limits on operators and IN operands. */
export interface OperatorTally {
  /** Operators and function calls. */
  readonly operators: number;
  /** The most operands any IN comparator has. */
  readonly largestIn: number;
}

/** The functions of DynamoDB's expressions (case-sensitive); a call counts as one operator. */
const FUNCTIONS: ReadonlySet<string> = new Set([
  'attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size', 'if_not_exists', 'list_append',
]);

/**
 * Counts the operators and functions of an expression, in one pass: in a condition
 * (key condition, filter) the comparators `= <> < <= > >= BETWEEN IN`, the logical
 * `AND OR NOT` (the AND of a BETWEEN is part of it) and each function call; in an
 * update expression (`update`), `+`, `-` and each function call: its `=` assigns, as
 * the developer guide's example counts (`SET a = :val1 + :val2 + :val3` has two).
 * Parentheses, names, placeholders and list indexes are not operators. Also counts
 * the operands of each `IN (...)`: commas at that list's own depth, plus one.
 */
export function tallyOperators(expression: string, update: boolean): OperatorTally {
  let operators = 0;
  let largestIn = 0;
  let betweenPending = false;
  let inPending = false;
  // Per open parenthesis: the commas so far when it opened an IN list, or -1.
  const open: number[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i];
    if (c === ':' || c === '#' || (c >= '0' && c <= '9')) {
      i = skipName(expression, i + 1); // A placeholder, or a list index.
    } else if (NAME_START.test(c)) {
      const end = skipName(expression, i);
      const word = expression.slice(i, end);
      i = end;
      const keyword = update ? '' : word.toUpperCase();
      if (keyword === 'AND' && betweenPending) betweenPending = false;
      else if (keyword === 'AND' || keyword === 'OR' || keyword === 'NOT') operators++;
      else if (keyword === 'BETWEEN') {
        operators++;
        betweenPending = true;
      } else if (keyword === 'IN') {
        operators++;
        inPending = true;
      } else if (FUNCTIONS.has(word) && expression[skipSpaces(expression, i)] === '(') operators++;
    } else if (c === '(') {
      open.push(inPending ? 0 : -1);
      inPending = false;
      i++;
    } else if (c === ',' || c === ')') {
      const top = open.length - 1;
      if (c === ',' && top >= 0 && open[top] >= 0) open[top]++;
      if (c === ')' && top >= 0) {
        const commas = open.pop()!;
        if (commas >= 0 && commas + 1 > largestIn) largestIn = commas + 1;
      }
      i++;
    } else if (c === '<' || c === '>') {
      operators++;
      i += expression[i + 1] === '=' || (c === '<' && expression[i + 1] === '>') ? 2 : 1;
    } else {
      if (c === '=' ? !update : update && (c === '+' || c === '-')) operators++;
      i++;
    }
  }
  return { operators, largestIn };
}
