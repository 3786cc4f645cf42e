"""One process of the partitioning workload (see test_partitioning).

    python -m tests.tooz.partition_worker URL GROUP MEMBER STATE_FILE

Joins GROUP with tooz's join_partitioned_group (heart started), then
every 50 ms runs the watchers and writes to STATE_FILE (atomically) the
members its hash ring holds and the items of range(ITEMS) it owns.
"""
import json
import os
import sys
import time

from tooz import coordination

ITEMS = 1000


def main(url, group, member, state_file):
    coord = coordination.get_coordinator(url, member.encode())
    coord.start(start_heart=True)
    partitioner = coord.join_partitioned_group(group.encode())
    while True:
        coord.run_watchers()
        state = {
            'at': time.monotonic(),
            'members': sorted(m.decode() for m in partitioner.ring.nodes),
            'owned': [i for i in range(ITEMS)
                      if partitioner.belongs_to_self(i)],
        }
        with open(state_file + '.tmp', 'w') as f:
            json.dump(state, f)
        os.replace(state_file + '.tmp', state_file)
        time.sleep(0.05)


if __name__ == '__main__':
    main(*sys.argv[1:])
