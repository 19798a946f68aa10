// The engine's part of /events: its own event stream (containers, images, local networks,
// volumes), asked with the client's since/until/filters so the engine applies them to its
// events as shoal does to the swarm's, and relayed line by line into the merged stream.

import { engineStream, type LocalEngine } from '../local-engine.js';

/** A line longer than this is not an event the engine sends; it is dropped, not buffered. */
const MAX_EVENT_LINE = 1024 * 1024;

/**
 * Relays each whole line of the engine's /events to `write`; resolves when the engine ends its
 * stream (its `until`), fails, or `signal` aborts. An engine that cannot be reached leaves the
 * stream to the swarm's events.
 */
export async function relayEngineEvents(
  engine: LocalEngine,
  query: string,
  write: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let partial = '';
  try {
    const res = await engineStream(engine, `/events${query}`, signal);
    if (res.statusCode !== 200) {
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    for await (const chunk of res) {
      const lines = (partial + (chunk as string)).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > MAX_EVENT_LINE) partial = '';
      for (const line of lines) if (line.trim() !== '') write(`${line}\n`);
    }
  } catch {
    // Unreachable engine or the client went away: nothing more of the engine's part.
  }
}
