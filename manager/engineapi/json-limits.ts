// Bounds on the JSON a client sends, checked before it is parsed: JSON.parse and everything
// that walks its result recurse once per level, so 100,000 levels overflowed the stack (500)
// and 3 million burned seconds of CPU. A scanner counts the nesting as the bytes arrive, in
// one pass with constant state (brackets inside strings do not count), and the body is
// refused at the first byte too deep.

/**
 * Deepest nesting accepted in a body. Docker's deepest request (a service spec with a mount's
 * driver options) is 7 levels; 64 leaves room and bounds every recursive walk of the result.
 */
export const JSON_MAX_DEPTH = 64;
/**
 * Largest request body. The largest spec the control layer accepts is 512 KiB (a service,
 * controlapi/limits.ts), and Docker's largest bodies are secrets and configs (500 KiB and
 * 1000 KiB of data, base64 in JSON: 1.4 MB); 4 MiB leaves room for both.
 */
export const JSON_BODY_MAX_BYTES = 4 * 1024 * 1024;
/** The `filters` query parameter: a few names and values, nested two levels deep. */
export const FILTERS_MAX_BYTES = 64 * 1024;
export const FILTERS_MAX_DEPTH = 4;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Counts JSON nesting over chunks of UTF-8 bytes (or a string), without recursion. */
export class JsonDepthScanner {
  readonly #max: number;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #exceeded = false;

  constructor(maxDepth: number) {
    this.#max = maxDepth;
  }

  /** True once the nesting went deeper than the limit (the rest need not be scanned). */
  get exceeded(): boolean {
    return this.#exceeded;
  }

  /** Scans more input; returns false as soon as the limit is exceeded. */
  push(chunk: Uint8Array | string): boolean {
    if (this.#exceeded) return false;
    const text = typeof chunk === 'string';
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      // Multi-byte UTF-8 sequences never contain ASCII bytes, so a byte scan is exact.
      const c = text ? chunk.charCodeAt(i) : chunk[i]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === BACKSLASH) this.#escaped = true;
        else if (c === QUOTE) this.#inString = false;
      } else if (c === QUOTE) {
        this.#inString = true;
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++this.#depth > this.#max) {
          this.#exceeded = true;
          return false;
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        // Unbalanced input is JSON.parse's to refuse; the count never goes below zero.
        if (this.#depth > 0) this.#depth--;
      }
    }
    return true;
  }
}

/** True when `json` nests deeper than `maxDepth`. */
export function jsonTooDeep(json: Uint8Array | string, maxDepth: number): boolean {
  return !new JsonDepthScanner(maxDepth).push(json);
}
