// The engine's streaming answers (pull progress, events) are newline-delimited JSON objects that
// may be split anywhere across chunks.

export async function* jsonLines(stream: NodeJS.ReadableStream): AsyncGenerator<unknown> {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') yield parseLine(line);
      newline = buffered.indexOf('\n');
    }
  }
  if (buffered.trim() !== '') yield parseLine(buffered.trim());
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return { status: line };
  }
}
