// Where a value of a parsed YAML document is in its file: the line of the node a path leads
// to (or of its key, for an unknown key), from the ranges the yaml library keeps on each node.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export class SourcePositions {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * The 1-based line of the value at `path`; with `keyOf`, the line of the key `keyOf` inside
   * the mapping at `path`. The deepest node found on the way stands in for a path that leaves
   * the document (a value interpolation produced).
   */
  lineOf(path: readonly (string | number)[], keyOf?: string): number | undefined {
    let node: unknown = this.doc.contents;
    let last: Node | undefined = isNode(node) ? node : undefined;
    const steps = keyOf === undefined ? path : [...path, keyOf];
    for (let i = 0; i < steps.length; i++) {
      const seg = steps[i];
      const wantKey = keyOf !== undefined && i === steps.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(seg));
        if (pair === undefined) break;
        if (wantKey && isNode(pair.key)) return this.line(pair.key);
        node = pair.value;
        if (isNode(pair.key)) last = pair.key;
      } else if (isSeq(node) && /^\d+$/.test(String(seg))) {
        node = node.items[Number(seg)];
      } else {
        break;
      }
      if (isNode(node)) last = node;
    }
    return last === undefined ? undefined : this.line(last);
  }

  private line(node: Node): number | undefined {
    const range = node.range;
    if (range === undefined || range === null) return undefined;
    return this.lines.linePos(range[0]).line;
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && 'range' in v;
}
