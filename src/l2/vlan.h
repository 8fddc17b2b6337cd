/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_L2_VLAN_H
#define VSW_L2_VLAN_H 1

/*
 * Port VLAN configuration, as Open vSwitch's Port columns `tag`, `trunks`
 * and `vlan_mode` (ovs-vsctl set port P tag=10 ...), and the questions the
 * NORMAL action asks of it.
 *
 * What: a user configuration (struct vsw_vlan_cfg: which keys were given)
 * is checked and turned into the effective one (struct vsw_port_vlan) the
 * translation reads, with OVS's rules: no vlan_mode means access if a tag
 * is given, else trunk; a native mode always trunks its native VLAN and
 * never VLAN 0 (ofproto-dpif's bundle_set does the same).
 *
 * Deliberately stricter than OVS (docs/ovs-compat.md): a configuration OVS
 * accepts but ignores part of is refused with the reason -- trunks on an
 * access port, a tag on a trunk port, a native mode without a tag.
 *
 * Thread safety: plain data.  The control thread parses and owns each
 * port's configuration; PMDs and the handler read copies in the published
 * port snapshot (dp.h), never the port's own copy.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vsw_vlan_mode {
    VSW_VLAN_TRUNK,            /* Every VLAN in 'trunks' (all if none), tagged. */
    VSW_VLAN_ACCESS,           /* VLAN 'tag' only, untagged on the wire. */
    VSW_VLAN_NATIVE_TAGGED,    /* Trunk; untagged frames belong to 'tag'. */
    VSW_VLAN_NATIVE_UNTAGGED,  /* Same, and 'tag' leaves untagged. */
};

/** A port's VLAN configuration as the user wrote it. */
struct vsw_vlan_cfg {
    bool has_mode;             /* vlan_mode given. */
    uint8_t mode;              /* enum vsw_vlan_mode, if 'has_mode'. */
    int tag;                   /* 0..4095, or -1 if none. */
    uint16_t n_trunks;         /* Entries of 'trunks' (0: none given). */
    uint16_t trunks[512];      /* As given (duplicates allowed). */
};

#define VSW_VLAN_CFG_INIT { false, VSW_VLAN_TRUNK, -1, 0, { 0 } }

/** The effective configuration NORMAL reads (per port, in the snapshot). */
struct vsw_port_vlan {
    uint8_t mode;              /* enum vsw_vlan_mode. */
    bool all_trunks;           /* Trunk/native: every VLAN (no trunks given). */
    uint16_t vlan;             /* Access / native VLAN (0 for trunk). */
    uint64_t trunks[64];       /* Bit v: VLAN v is trunked (unless all_trunks). */
};

/** The configuration of a port nobody configured: trunk, every VLAN. */
void vsw_port_vlan_default(struct vsw_port_vlan *v);

/**
 * Applies "KEY=VALUE" ('kv') to 'cfg' if KEY is tag, trunks or vlan_mode;
 * returns 0, ENOENT if KEY is none of them ('cfg' untouched), or EINVAL with
 * a message.  "KEY=[]" unsets the key (ovs-vsctl's empty set).  A
 * --port spec, split at its commas, passes the VLANs after "trunks=N" to
 * vsw_vlan_cfg_add_trunk().
 */
int vsw_vlan_cfg_apply(struct vsw_vlan_cfg *cfg, const char *kv, char *err, size_t err_size);

/** Appends VLAN 'value' (digits) to cfg's trunks; EINVAL with a message. */
int vsw_vlan_cfg_add_trunk(struct vsw_vlan_cfg *cfg, const char *value, char *err,
                           size_t err_size);

/** Checks 'cfg' and computes the effective configuration; EINVAL with a
 *  message if a key contradicts the mode. */
int vsw_vlan_cfg_resolve(const struct vsw_vlan_cfg *cfg, struct vsw_port_vlan *out,
                         char *err, size_t err_size);

/** Writes "tag=10 vlan_mode=access" style text for 'cfg' ("" if nothing is
 *  configured) into 'buf'. */
void vsw_vlan_cfg_format(const struct vsw_vlan_cfg *cfg, char *buf, size_t size);

/** The mode's name as ovs-vsctl spells it. */
const char *vsw_vlan_mode_name(enum vsw_vlan_mode mode);

/** Whether a trunk-type port carries VLAN 'vid' (OVS xbundle_trunks_vlan). */
static inline bool
vsw_port_vlan_trunks(const struct vsw_port_vlan *v, uint16_t vid)
{
    return v->mode != VSW_VLAN_ACCESS
           && (v->all_trunks || (v->trunks[vid >> 6] >> (vid & 63)) & 1);
}

#endif /* VSW_L2_VLAN_H */
