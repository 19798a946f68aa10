// Renders progress the way the docker CLI's jsonmessage display does. On a terminal each ID
// owns a line that is rewritten in place (cursor up, clear, rewrite, cursor down) with a
// 50-column bar when the terminal is wider than 110 columns. Elsewhere it prints plain lines,
// one per change (docker repeats every poll; shoal prints a line only when its text changes).

/** One progress update to render (a jsonmessage): a line by ID, or a plain message. */
export interface ProgressMessage {
  readonly id: string;
  /** A status that belongs to a progress line (rewritten in place on a terminal). */
  readonly action?: string;
  /** A plain message: not a progress line; it ends the current group of progress lines. */
  readonly message?: string;
  readonly current?: number;
  readonly total?: number;
  readonly hideCounts?: boolean;
}

export interface ProgressOutput {
  write(progress: ProgressMessage): void;
}

/** jsonmessage's JSONProgress.String() for the fields the service progress uses. */
export function progressBar(current: number, total: number, width: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return '';
  const pct = Math.min(Math.trunc(Math.trunc((current / total) * 100) / 2), 50);
  if (width <= 110) return '';
  return `[${'='.repeat(pct)}>${' '.repeat(Math.max(50 - pct, 0))}] `;
}

export class TerminalProgressRenderer implements ProgressOutput {
  private ids = new Map<string, number>();

  constructor(
    private readonly out: (text: string) => void,
    private readonly width: number,
  ) {}

  write(p: ProgressMessage): void {
    if (p.message !== undefined || p.action === undefined) {
      this.ids = new Map();
      this.out(`${p.id !== '' ? `${p.id}: ` : ''}${p.message ?? ''}\n`);
      return;
    }
    let diff = 0;
    if (p.id !== '') {
      let line = this.ids.get(p.id);
      if (line === undefined) {
        line = this.ids.size;
        this.ids.set(p.id, line);
        this.out('\n');
      }
      diff = this.ids.size - line;
      this.out(`\x1b[${diff}A`);
    }
    const bar = progressBar(p.current ?? 0, p.total ?? 0, this.width);
    this.out('\x1b[2K\r');
    this.out(`${p.id !== '' ? `${p.id}: ` : ''}${p.action} ${bar}\r`);
    if (p.id !== '') this.out(`\x1b[${diff}B`);
  }

  /** Leaves the cursor on a fresh line once rendering is over. */
  finish(): void {
    if (this.ids.size > 0) this.out('\n');
    this.ids = new Map();
  }
}

export class PlainProgressRenderer implements ProgressOutput {
  private readonly last = new Map<string, string>();

  constructor(private readonly out: (text: string) => void) {}

  write(p: ProgressMessage): void {
    const text = (p.message ?? p.action ?? '').trimEnd();
    if (text === '') return;
    if (p.message === undefined && this.last.get(p.id) === text) return;
    this.last.set(p.id, text);
    this.out(`${p.id !== '' ? `${p.id}: ` : ''}${text}\n`);
  }

  finish(): void {
    this.last.clear();
  }
}
