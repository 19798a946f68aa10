// The roots a manager's TLS server trusts follow the cluster object, not the manager's own
// certificate: when a root rotation starts, every manager accepts certificates of both roots at
// once (a node may renew at any manager before this one's own renewal), and when it finishes they
// stop trusting the old root together. Runs on every manager, leader or not (each serves 2377).

import type { Logger } from 'pino';
import { trustBundlePem } from '../../ca/cluster-roots.js';
import type { MemoryStore } from '../store/index.js';

/** Calls `onTrust` with the cluster's trust bundle now and whenever it changes, until `signal` aborts. */
export async function followClusterTrust(
  store: MemoryStore,
  onTrust: (bundlePem: string) => void,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  let last = '';
  const read = (tx: Parameters<Parameters<MemoryStore['view']>[0]>[0]): void => {
    const cluster = tx.list('clusters')[0];
    if (cluster === undefined) return;
    const bundle = trustBundlePem(cluster.rootCA);
    if (bundle === last) return;
    last = bundle;
    try {
      onTrust(bundle);
    } catch (e: unknown) {
      logger.error(
        { err: e instanceof Error ? e.message : String(e) },
        'could not apply the swarm trust roots',
      );
    }
  };
  while (!signal.aborted) {
    const [, watcher] = store.viewAndWatch(read, { tables: ['clusters'], commits: false, signal });
    try {
      for await (const _event of watcher) store.view(read);
    } catch (e: unknown) {
      if (signal.aborted) return;
      logger.debug(
        { err: e instanceof Error ? e.message : String(e) },
        'cluster watch ended; watching again',
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
