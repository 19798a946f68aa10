// Runs the deterministic simulator over many seeds for 3, 5 and 7 members, checking Raft's
// safety properties after every step and the linearizability of the KV client history.
// SHOAL_SIM_SEEDS sets the number of seeds per cluster size (default 170, so >= 500 in all);
// SHOAL_SIM_SEED=<n> SHOAL_SIM_MEMBERS=<m> replays one seed.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLinearizable } from './support/linearizability.js';
import { Simulation, type SimOptions, type SimResult } from './sim/simulation.js';

const seedsPerSize = Number(process.env['SHOAL_SIM_SEEDS'] ?? 170);
const steps = Number(process.env['SHOAL_SIM_STEPS'] ?? 1500);
const only = process.env['SHOAL_SIM_SEED'];
const onlyMembers = process.env['SHOAL_SIM_MEMBERS'];

function options(seed: number, members: number): SimOptions {
  return { seed, members, steps, clients: 4, keys: 3, membership: seed % 2 === 0, clientTimeout: 120 };
}

function runOne(seed: number, members: number): SimResult['stats'] {
  const replay = `replay: SHOAL_SIM_SEED=${seed} SHOAL_SIM_MEMBERS=${members} SHOAL_SIM_STEPS=${steps} node --test dist/manager/raft/test/simulation.test.js`;
  let result;
  try {
    result = new Simulation(options(seed, members)).run();
  } catch (e: unknown) {
    const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
    assert.fail(`seed ${seed} (${members} members) failed: ${msg}\n${replay}`);
  }
  const lin = checkLinearizable(result.history, { maxStates: 2_000_000 });
  if (lin.ok !== true) {
    assert.fail(`seed ${seed} (${members} members): history not linearizable (${lin.reason})\n${replay}`);
  }
  assert.ok(
    result.stats.ok > 0,
    `seed ${seed}: no client operation succeeded (${JSON.stringify(result.stats)})`,
  );
  return result.stats;
}

for (const members of [3, 5, 7]) {
  if (onlyMembers !== undefined && Number(onlyMembers) !== members) continue;
  test(`simulator: ${members} members, ${only ?? seedsPerSize} seed(s), ${steps} steps each`, () => {
    if (only !== undefined) {
      runOne(Number(only), members);
      return;
    }
    const totals: Record<string, number> = {};
    for (let seed = 1; seed <= seedsPerSize; seed++) {
      const stats = runOne(members * 100_000 + seed, members);
      for (const [k, v] of Object.entries(stats)) totals[k] = (totals[k] ?? 0) + v;
    }
    console.log(`${members} members, ${seedsPerSize} seeds: ${JSON.stringify(totals)}`);
    // The faults must actually have been exercised, or the run proves little.
    if (seedsPerSize >= 20) {
      for (const k of ['crashes', 'partitions', 'transfers', 'snapshotsInstalled', 'unknown', 'leaders']) {
        assert.ok(
          (totals[k] ?? 0) > 0,
          `no ${k} happened over ${seedsPerSize} seeds: the simulator is not exercising them`,
        );
      }
      assert.ok((totals['confChanges'] ?? 0) > 0, 'no membership change happened');
    }
  });
}
