// raftSenderRefusal: which Raft member a manager may speak as, decided from what a possibly
// lagging store proves (see raft-sender.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { raftSenderRefusal, type RaftIdentities } from '../raft-sender.js';

const SELF = 1;

/** The store records these node → Raft ID bindings; `config` is the Raft configuration. */
function identities(records: Record<string, number>, config: readonly number[]): RaftIdentities {
  return {
    recordedRaftId: (nodeId) => records[nodeId],
    nodeOfRaftId: (raftId) => Object.entries(records).find(([, id]) => id === raftId)?.[0],
    isRaftMember: (raftId) => config.includes(raftId),
  };
}

const cases: readonly {
  readonly name: string;
  readonly caller: string;
  readonly from: number;
  readonly ids: RaftIdentities;
  readonly refused: RegExp | undefined;
}[] = [
  {
    name: 'a recorded member speaking as itself',
    caller: 'm2',
    from: 2,
    ids: identities({ m1: SELF, m2: 2, m3: 3 }, [SELF, 2, 3]),
    refused: undefined,
  },
  {
    name: 'a recorded member speaking as another recorded member',
    caller: 'm2',
    from: 3,
    ids: identities({ m1: SELF, m2: 2, m3: 3 }, [SELF, 2, 3]),
    refused: /node m2 sent a Raft message as member 3, which is node m3/,
  },
  {
    name: 'anyone speaking as this member',
    caller: 'm2',
    from: SELF,
    ids: identities({}, []),
    refused: /as this member \(1\)/,
  },
  {
    name: 'a recorded member speaking as an ID nobody has recorded',
    caller: 'm2',
    from: 9,
    ids: identities({ m1: SELF, m2: 2 }, [SELF, 2, 9]),
    refused: /node m2 sent a Raft message as member 9, but it is member 2/,
  },
  {
    name: 'a manager that joined moments ago (no record yet) speaking as its new ID',
    caller: 'm4',
    from: 4,
    ids: identities({ m1: SELF, m2: 2 }, [SELF, 2, 4]),
    refused: undefined,
  },
  {
    name: 'a manager a lagging store knows nothing about, speaking as another recorded member',
    caller: 'm4',
    from: 2,
    ids: identities({ m1: SELF, m2: 2 }, [SELF, 2]),
    refused: /which is node m2/,
  },
  {
    name: 'a manager left out by force-new-cluster speaking as its own old ID, out of the group',
    caller: 'm2',
    from: 2,
    ids: identities({ m1: SELF, m2: 2, m3: 3 }, [SELF, 4, 5]),
    refused: /node m2 sent a Raft message as member 2, which is no longer in the Raft group/,
  },
  {
    name: 're-promoted: its old recorded ID left the configuration, it speaks as its new one',
    caller: 'm2',
    from: 7,
    ids: identities({ m1: SELF, m2: 2 }, [SELF, 7]),
    refused: undefined,
  },
  {
    name: "a stale record of another node's old ID still belongs to that node",
    caller: 'm4',
    from: 2,
    ids: identities({ m1: SELF, m2: 2 }, [SELF]),
    refused: /which is node m2/,
  },
];

for (const c of cases) {
  test(`raftSenderRefusal: ${c.name}`, () => {
    const refusal = raftSenderRefusal(c.caller, c.from, SELF, c.ids);
    if (c.refused === undefined) assert.equal(refusal, undefined);
    else assert.match(refusal ?? '', c.refused);
  });
}
