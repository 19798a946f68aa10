// Docker matches some filters (network id and name) as Go regular expressions, which run in
// linear time (RE2). JavaScript's run by backtracking: a filter such as name=(a+)+b against a
// network named "aaaa…" took exponential time and froze the manager. A pattern is accepted
// only if backtracking on it stays polynomial and small: no quantified group that itself
// holds a quantifier or an alternation, no backreference, at most a few quantifiers (each
// one multiplies the work by the subject's length, and subjects are names of 63 characters).

import { invalidParameter } from './errors.js';

export const FILTER_PATTERN_MAX_LENGTH = 1024;
export const FILTER_PATTERN_MAX_QUANTIFIERS = 3;

interface Group {
  quantified: boolean;
  alternation: boolean;
}

function tooComplex(pattern: string, why: string): Error {
  return invalidParameter(
    `invalid filter: the pattern ${JSON.stringify(pattern.slice(0, 64))} is too complex (${why}); shoal matches patterns with at most ${FILTER_PATTERN_MAX_QUANTIFIERS} quantifiers, none on a group that holds a quantifier or an alternation, and no backreferences`,
  );
}

const BOUNDED = /^\{\d+(?:,\d*)?\}/;

/** Refuses a pattern whose backtracking could blow up (see above). */
export function checkFilterPattern(pattern: string): void {
  if (pattern.length > FILTER_PATTERN_MAX_LENGTH) throw tooComplex(pattern, 'too long');
  const stack: Group[] = [{ quantified: false, alternation: false }];
  let lastGroup: Group | undefined;
  let quantifiers = 0;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let closed: Group | undefined;
    let quantifier = 0;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next)) throw tooComplex(pattern, 'a backreference');
      i += 2;
    } else if (c === '[') {
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      i++;
      if (pattern[i] === '?') {
        i++;
        if (pattern[i] === '<' && pattern[i + 1] !== '=' && pattern[i + 1] !== '!') {
          while (i < pattern.length && pattern[i] !== '>') i++;
        }
        i++;
      }
    } else if (c === ')') {
      closed = stack.length > 1 ? stack.pop() : undefined;
      if (closed !== undefined) {
        const parent = stack[stack.length - 1]!;
        parent.quantified ||= closed.quantified;
        parent.alternation ||= closed.alternation;
      }
      i++;
    } else if (c === '|') {
      stack[stack.length - 1]!.alternation = true;
      i++;
    } else if (c === '*' || c === '+' || c === '?') {
      quantifier = 1;
    } else if (c === '{' && BOUNDED.test(pattern.slice(i, i + 24))) {
      quantifier = BOUNDED.exec(pattern.slice(i, i + 24))![0].length;
    } else {
      i++;
    }
    if (quantifier > 0) {
      if (++quantifiers > FILTER_PATTERN_MAX_QUANTIFIERS) throw tooComplex(pattern, 'too many quantifiers');
      if (lastGroup !== undefined && (lastGroup.quantified || lastGroup.alternation)) {
        throw tooComplex(pattern, 'a quantified group holding a quantifier or an alternation');
      }
      stack[stack.length - 1]!.quantified = true;
      i += quantifier;
      if (pattern[i] === '?' || pattern[i] === '+') i++;
    }
    lastGroup = closed;
  }
}

/**
 * The regular expression of a filter value, or undefined when it does not compile (Go's
 * filters.Args.Match then only matches it literally). Refuses a pattern too complex to run.
 */
export function filterPattern(pattern: string): RegExp | undefined {
  checkFilterPattern(pattern);
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}
