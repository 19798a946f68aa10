// The fuzzer's JSON values: ordinary JSON plus raw pieces JSON.stringify cannot make (-0,
// 1e400, bytes that are not UTF-8, 100,000 levels of nesting written without recursion), the
// encoder that turns them into request bytes, and a short description of a value for failure
// messages (a 3 MB string is shown as its length, not its bytes).

/** Text or bytes put into the body as they are, with a short label for failure messages. */
export class RawJson {
  readonly bytes: Buffer;
  readonly label: string;
  constructor(bytes: Buffer | string, label: string) {
    this.bytes = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    this.label = label;
  }
}

export type FuzzJson = null | boolean | number | string | RawJson | FuzzJson[] | { [key: string]: FuzzJson };

function isObject(v: FuzzJson): v is { [key: string]: FuzzJson } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawJson);
}

/** The request bytes of a value (raw pieces as they are; the tree itself is shallow). */
export function encodeJson(value: FuzzJson): Buffer {
  const parts: Buffer[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') parts.push(Buffer.from(text, 'utf8'));
    text = '';
  };
  const walk = (v: FuzzJson): void => {
    if (v instanceof RawJson) {
      flush();
      parts.push(v.bytes);
    } else if (Array.isArray(v)) {
      text += '[';
      v.forEach((item, i) => {
        if (i > 0) text += ',';
        walk(item);
      });
      text += ']';
    } else if (isObject(v)) {
      text += '{';
      Object.entries(v).forEach(([k, item], i) => {
        if (i > 0) text += ',';
        text += `${JSON.stringify(k)}:`;
        walk(item);
      });
      text += '}';
    } else {
      text += JSON.stringify(v);
    }
  };
  walk(value);
  flush();
  return Buffer.concat(parts);
}

const PREVIEW = 80;

/** A one-line description of a value: long strings, arrays and objects are summarized. */
export function describeJson(value: FuzzJson, budget = 600): string {
  const out: string[] = [];
  let used = 0;
  const put = (s: string): void => {
    out.push(s);
    used += s.length;
  };
  const walk = (v: FuzzJson): void => {
    if (used > budget) {
      put('…');
      return;
    }
    if (v instanceof RawJson) put(`<${v.label}>`);
    else if (typeof v === 'string') {
      put(
        v.length > PREVIEW
          ? `${JSON.stringify(v.slice(0, 24))}…(${v.length} chars of ${JSON.stringify(v.slice(-4))})`
          : JSON.stringify(v),
      );
    } else if (typeof v === 'number') put(Object.is(v, -0) ? '-0' : String(v));
    else if (Array.isArray(v)) {
      if (v.length > 8) {
        put(`[${v.length} items: `);
        walk(v[0] ?? null);
        put(', …]');
        return;
      }
      put('[');
      v.forEach((item, i) => {
        if (i > 0) put(',');
        walk(item);
      });
      put(']');
    } else if (isObject(v)) {
      const entries = Object.entries(v);
      if (entries.length > 12) {
        put(`{${entries.length} keys: ${JSON.stringify(entries[0]?.[0] ?? '')}:`);
        walk(entries[0]?.[1] ?? null);
        put(', …}');
        return;
      }
      put('{');
      entries.forEach(([k, item], i) => {
        if (i > 0) put(',');
        put(`${JSON.stringify(k)}:`);
        walk(item);
      });
      put('}');
    } else put(JSON.stringify(v));
  };
  walk(value);
  return out.join('');
}

/** A copy of `base` with `value` at `path` (missing objects on the way are made). */
export function setAtPath(base: FuzzJson, path: readonly string[], value: FuzzJson): FuzzJson {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (/^\d+$/.test(head) && Array.isArray(base)) {
    const copy = [...base];
    const i = Number(head);
    copy[i] = setAtPath(copy[i] ?? {}, rest, value);
    return copy;
  }
  if (/^\d+$/.test(head) && !isObject(base)) return [setAtPath({}, rest, value)];
  const obj = isObject(base) ? base : {};
  return { ...obj, [head]: setAtPath(obj[head] ?? {}, rest, value) };
}

/** Deep merge: objects merge key by key, anything else in `top` replaces what `base` has. */
export function mergeJson(base: FuzzJson, top: FuzzJson): FuzzJson {
  if (!isObject(base) || !isObject(top)) return top;
  const out: { [key: string]: FuzzJson } = { ...base };
  for (const [k, v] of Object.entries(top)) {
    // defineProperty: a "__proto__" key stays an own key, as JSON.parse makes it.
    const value = Object.hasOwn(out, k) ? mergeJson(out[k] ?? null, v) : v;
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
