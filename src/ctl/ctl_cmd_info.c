/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control commands' descriptions (ctl_cmd_info.h): the one copy, read by
 * vswctl for argument checks and help, and by vswd to check that every
 * registered handler is described.
 */

#include "ctl/ctl_cmd_info.h"

#include <string.h>

static const struct vsw_ctl_cmd_info infos[] = {
    { "add-flow", 1, 1, false, "add-flow FLOW         add or replace one rule" },
    { "add-flows", 1, 1, true, "add-flows FILE        add rules from FILE ('-' = stdin), all or none" },
    { "del-flows", 0, 2, false, "del-flows [--strict] [MATCH]  delete matching rules (all if no MATCH)" },
    { "replace-flows", 1, 1, true, "replace-flows FILE    make the rule set exactly FILE's" },
    { "dump-flows", 0, 2, false, "dump-flows [--strict] [MATCH]  print rules with counters" },
    { "dump-tables", 0, 0, false, "dump-tables  per table: active rules, lookups, matches" },
    { "add-port", 2, 8, false, "add-port NAME DEVARGS[,ofport=N][,n_rxq=N][,mtu_request=N]\n"
      "                      [,tag=N][,trunks=N,...][,vlan_mode=MODE]  attach a DPDK device" },
    { "set-port", 2, 8, false, "set-port NAME KEY=VALUE...  change a port (mtu_request=N, tag=N,\n"
      "                      trunks=N,..., vlan_mode=access|trunk|native-tagged|native-untagged;\n"
      "                      KEY=[] unsets a VLAN key; link=up|down: administratively,\n"
      "                      what fast_failover's watch_port sees)" },
    { "del-port", 1, 1, false, "del-port NAME         detach a port" },
    { "show", 0, 0, false, "show                  ports and PMD threads" },
    { "dump-ports", 0, 1, false, "dump-ports [PORT]     rx/tx/drop counters per port" },
    { "dump-queues", 0, 1, false, "dump-queues [PORT]    rx/tx counters per queue" },
    { "pmd-stats", 0, 0, false, "pmd-stats             per-PMD packets, cache hits, drops, cycles" },
    { "pmd-stats-clear", 0, 0, false, "pmd-stats-clear       zero the PMD statistics" },
    { "dump-megaflows", 0, 0, false, "dump-megaflows        cached megaflows in the datapath key format" },
    { "reval-stats", 0, 0, false, "reval-stats           megaflows scanned, re-translated and deleted by revalidation" },
    { "ctl-stats", 0, 0, false, "ctl-stats             control socket clients, limits, refusals, timeouts" },
    { "fdb-show", 0, 0, false, "fdb-show              the MAC table: port, VLAN, MAC, age" },
    { "fdb-stats", 0, 0, false, "fdb-stats             MAC table counters (learned, moved, aged, evicted)" },
    { "fdb-flush", 0, 1, false, "fdb-flush [PORT]      forget the learned MACs (of PORT only)" },
    { "fdb-add", 3, 3, false, "fdb-add PORT VLAN MAC  add a static MAC table entry" },
    { "fdb-del", 2, 2, false, "fdb-del VLAN MAC      delete a static MAC table entry" },
    { "monitor", 0, 1, false, "monitor [-m]          print packet-ins and flow removals as `ovs-ofctl -O OpenFlow13\n"
      "                      monitor br0 65534` does, as they happen, until interrupted;\n"
      "                      -m: each packet-in's packet also as a hex dump (ovs-ofctl -m)" },
    { "packet-out", 3, 3, false, "packet-out IN_PORT ACTIONS HEXPACKET\n"
      "                      run ACTIONS (ovs-ofctl syntax) on the frame as a controller's\n"
      "                      packet-out; IN_PORT a number, none, controller or local" },
    { "controller-stats", 0, 0, false, "controller-stats      packet-ins queued, delivered, dropped (no monitor, rate limit, queue full)" },
    { "add-group", 1, 1, false, "add-group GROUP       add a group (ovs-ofctl syntax: group_id=N,type=...,bucket=...)" },
    { "mod-group", 1, 1, false, "mod-group GROUP       replace an existing group's type and buckets" },
    { "del-groups", 0, 1, false, "del-groups [group_id=N]  delete a group (all if none) and the rules using it" },
    { "dump-groups", 0, 1, false, "dump-groups [GROUP]   print groups as ovs-ofctl -O OpenFlow15 does" },
    { "dump-group-stats", 0, 1, false, "dump-group-stats [group_id=N]  group and bucket counters" },
    { "trace", 1, 2, false, "trace FLOW | trace IN_PORT HEXPACKET\n"
      "                      the rule, each action's effect, the datapath actions and\n"
      "                      the megaflow a packet would get, and whether it is cached" },
};

const struct vsw_ctl_cmd_info *
vsw_ctl_cmd_info_find(const char *name)
{
    for (size_t i = 0; i < sizeof infos / sizeof infos[0]; i++) {
        if (!strcmp(name, infos[i].name)) {
            return &infos[i];
        }
    }
    return NULL;
}

const struct vsw_ctl_cmd_info *
vsw_ctl_cmd_infos(size_t *n)
{
    *n = sizeof infos / sizeof infos[0];
    return infos;
}
