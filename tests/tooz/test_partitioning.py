"""A real workload: three processes partition 1,000 items with tooz.

Each process (partition_worker) joins one group through
``join_partitioned_group`` (tooz's consistent hash ring, over this
driver) and reports which items it owns. At every check each item is
owned by exactly one live member; after one process is SIGKILLed its
items move to the two others within its ttl + 1 s, and no other item
moves. The figures go to stderr and to partitioning.json in the
working directory.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

from tests import tooz as base

TTL = 3
ITEMS = 1000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


@base.needs_tooz
class PartitioningTest(base.ServiceTestCase):

    def setUp(self):
        super().setUp()
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.group = 'partitions-' + uuid.uuid4().hex[:8]
        self.workers = {}

    def start(self, member):
        state = os.path.join(self.dir.name, member + '.json')
        proc = subprocess.Popen(
            [sys.executable, '-m', 'tests.tooz.partition_worker',
             f'{self.tooz_url}?timeout={TTL}', self.group, member, state],
            cwd=ROOT, stdin=subprocess.DEVNULL)
        self.addCleanup(self.kill, proc)
        self.workers[member] = (proc, state)

    @staticmethod
    def kill(proc):
        if proc.poll() is None:
            proc.kill()
        proc.wait()

    def states(self, members):
        states = {}
        for member in members:
            try:
                with open(self.workers[member][1]) as f:
                    states[member] = json.load(f)
            except (OSError, ValueError):
                return None
        return states

    def wait_for_view(self, members, timeout, strict=True):
        """Poll until every live member's ring is exactly ``members``;
        meanwhile no item may ever have two live owners. While members
        join (``strict=False``) a process that has not yet seen a newcomer
        still owns the newcomer's items, as with every tooz backend, so
        only processes that see the same members are compared then.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = self.states(members)
            if states:
                self.assertNoDoubleOwner(states, strict)
                if all(s['members'] == sorted(members)
                       for s in states.values()):
                    return states
            time.sleep(0.02)
        self.fail(f'members {members} did not agree within {timeout} s: '
                  f'{self.states(members)}')

    def assertNoDoubleOwner(self, states, strict=True):
        owners = {}
        for member, state in states.items():
            view = () if strict else tuple(state['members'])
            for item in state['owned']:
                self.assertNotIn((view, item), owners,
                                 f'item {item} owned by {member} and '
                                 f'{owners.get((view, item))}')
                owners[view, item] = member

    def assertEachItemOnce(self, states):
        self.assertNoDoubleOwner(states)
        owned = sorted(i for s in states.values() for i in s['owned'])
        self.assertEqual(list(range(ITEMS)), owned)

    def test_three_processes_then_one_is_killed(self):
        members = ['worker-a', 'worker-b', 'worker-c']
        for member in members:
            self.start(member)
        states = self.wait_for_view(members, 30, strict=False)
        for _ in range(10):  # a second of checks in the steady state
            self.assertEachItemOnce(states)
            time.sleep(0.1)
            states = self.wait_for_view(members, 5)
        before = {m: set(s['owned']) for m, s in states.items()}
        for owned in before.values():
            self.assertGreater(len(owned), 100)  # the ring spreads them

        victim, survivors = members[0], members[1:]
        os.kill(self.workers[victim][0].pid, signal.SIGKILL)
        killed_at = time.monotonic()
        states = self.wait_for_view(survivors, TTL + 5)
        rebalanced = max(s['at'] for s in states.values()) - killed_at
        self.assertEachItemOnce(states)
        after = {m: set(s['owned']) for m, s in states.items()}
        moved = sum(len(after[m] - before[m]) for m in survivors)
        # Consistent hashing: only the victim's items move, all of them.
        self.assertEqual(len(before[victim]), moved)
        for member in survivors:
            self.assertLessEqual(before[member], after[member])
        figures = {'items': ITEMS, 'processes': len(members), 'ttl': TTL,
                   'owned_before': {m: len(o) for m, o in before.items()},
                   'items_moved': moved,
                   'seconds_to_rebalance': round(rebalanced, 3)}
        sys.stderr.write(f'partitioning: {json.dumps(figures)}\n')
        with open('partitioning.json', 'w') as f:
            json.dump(figures, f, indent=1)
        self.assertLessEqual(rebalanced, TTL + 1)
