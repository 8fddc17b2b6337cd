/* SPDX-License-Identifier: Apache-2.0 */
/* Port VLAN configuration; see vlan.h. */

#include "l2/vlan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_names[] = {
    [VSW_VLAN_TRUNK] = "trunk",
    [VSW_VLAN_ACCESS] = "access",
    [VSW_VLAN_NATIVE_TAGGED] = "native-tagged",
    [VSW_VLAN_NATIVE_UNTAGGED] = "native-untagged",
};

const char *
vsw_vlan_mode_name(enum vsw_vlan_mode mode)
{
    return (unsigned) mode < sizeof mode_names / sizeof mode_names[0] ? mode_names[mode] : "?";
}

void
vsw_port_vlan_default(struct vsw_port_vlan *v)
{
    memset(v, 0, sizeof *v);
    v->mode = VSW_VLAN_TRUNK;
    v->all_trunks = true;
}

/* A VLAN number: decimal digits, 0..4095. */
static int
parse_vid(const char *key, const char *s, size_t len, uint16_t *vid, char *err,
          size_t err_size)
{
    unsigned long v = 0;

    if (!len || len > 4) {
        goto bad;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            goto bad;
        }
        v = v * 10 + (unsigned long) (s[i] - '0');
    }
    if (v > 4095) {
        goto bad;
    }
    *vid = (uint16_t) v;
    return 0;
bad:
    snprintf(err, err_size, "%s: \"%.*s\" is not a VLAN in 0..4095", key, (int) len, s);
    return EINVAL;
}

int
vsw_vlan_cfg_add_trunk(struct vsw_vlan_cfg *cfg, const char *value, char *err,
                       size_t err_size)
{
    uint16_t vid;
    int error = parse_vid("trunks", value, strlen(value), &vid, err, err_size);

    if (error) {
        return error;
    }
    if (cfg->n_trunks >= sizeof cfg->trunks / sizeof cfg->trunks[0]) {
        snprintf(err, err_size, "trunks: at most %zu VLANs",
                 sizeof cfg->trunks / sizeof cfg->trunks[0]);
        return EINVAL;
    }
    cfg->trunks[cfg->n_trunks++] = vid;
    return 0;
}

int
vsw_vlan_cfg_apply(struct vsw_vlan_cfg *cfg, const char *kv, char *err, size_t err_size)
{
    const char *eq = strchr(kv, '=');
    size_t klen = eq ? (size_t) (eq - kv) : strlen(kv);
    const char *val = eq ? eq + 1 : "";
    bool unset = !strcmp(val, "[]");
    struct vsw_vlan_cfg c = *cfg;

    if (klen == 3 && !strncmp(kv, "tag", 3)) {
        uint16_t vid;
        if (unset) {
            c.tag = -1;
        } else if (parse_vid("tag", val, strlen(val), &vid, err, err_size)) {
            return EINVAL;
        } else {
            c.tag = vid;
        }
    } else if (klen == 6 && !strncmp(kv, "trunks", 6)) {
        c.n_trunks = 0;
        if (!unset) {
            if (!*val) {
                snprintf(err, err_size, "trunks: needs VLANs, e.g. trunks=10,20 "
                         "(trunks=[] removes them)");
                return EINVAL;
            }
            const char *p = val;
            while (*p) {
                size_t n = strcspn(p, ",");
                uint16_t vid;
                if (parse_vid("trunks", p, n, &vid, err, err_size)) {
                    return EINVAL;
                }
                if (c.n_trunks >= sizeof c.trunks / sizeof c.trunks[0]) {
                    snprintf(err, err_size, "trunks: at most %zu VLANs",
                             sizeof c.trunks / sizeof c.trunks[0]);
                    return EINVAL;
                }
                c.trunks[c.n_trunks++] = vid;
                p += n;
                if (*p == ',') {
                    p++;
                    if (!*p) {
                        snprintf(err, err_size, "trunks: \"%s\" ends with a comma", val);
                        return EINVAL;
                    }
                }
            }
        }
    } else if (klen == 9 && !strncmp(kv, "vlan_mode", 9)) {
        if (unset) {
            c.has_mode = false;
        } else {
            size_t i;
            for (i = 0; i < sizeof mode_names / sizeof mode_names[0]; i++) {
                if (!strcmp(val, mode_names[i])) {
                    break;
                }
            }
            if (i == sizeof mode_names / sizeof mode_names[0]) {
                snprintf(err, err_size, "vlan_mode: \"%s\" is not one of access, trunk, "
                         "native-tagged, native-untagged", val);
                return EINVAL;
            }
            c.has_mode = true;
            c.mode = (uint8_t) i;
        }
    } else {
        return ENOENT;
    }
    *cfg = c;
    return 0;
}

int
vsw_vlan_cfg_resolve(const struct vsw_vlan_cfg *cfg, struct vsw_port_vlan *out, char *err,
                     size_t err_size)
{
    enum vsw_vlan_mode mode = cfg->has_mode ? (enum vsw_vlan_mode) cfg->mode
                              : cfg->tag >= 0 ? VSW_VLAN_ACCESS : VSW_VLAN_TRUNK;

    switch (mode) {
    case VSW_VLAN_ACCESS:
        if (cfg->tag < 0) {
            snprintf(err, err_size, "vlan_mode=access needs a tag (tag=N)");
            return EINVAL;
        }
        if (cfg->n_trunks) {
            snprintf(err, err_size, "an access port (tag=%d%s) carries no trunks: remove "
                     "trunks= (trunks=[]) or set vlan_mode=native-tagged/native-untagged",
                     cfg->tag, cfg->has_mode ? ", vlan_mode=access" : "");
            return EINVAL;
        }
        break;
    case VSW_VLAN_TRUNK:
        if (cfg->tag >= 0) {
            snprintf(err, err_size, "vlan_mode=trunk ignores tag=%d: remove it (tag=[]) or "
                     "choose access, native-tagged or native-untagged", cfg->tag);
            return EINVAL;
        }
        break;
    case VSW_VLAN_NATIVE_TAGGED:
    case VSW_VLAN_NATIVE_UNTAGGED:
        if (cfg->tag < 0) {
            snprintf(err, err_size, "vlan_mode=%s needs the native VLAN as tag=N",
                     mode_names[mode]);
            return EINVAL;
        }
        break;
    }

    memset(out, 0, sizeof *out);
    out->mode = (uint8_t) mode;
    out->vlan = mode == VSW_VLAN_TRUNK ? 0 : (uint16_t) cfg->tag;
    out->all_trunks = mode != VSW_VLAN_ACCESS && !cfg->n_trunks;
    for (unsigned i = 0; i < cfg->n_trunks; i++) {
        out->trunks[cfg->trunks[i] >> 6] |= 1ull << (cfg->trunks[i] & 63);
    }
    if ((mode == VSW_VLAN_NATIVE_TAGGED || mode == VSW_VLAN_NATIVE_UNTAGGED) && out->vlan) {
        /* As OVS: a native port always trunks its native VLAN, never VLAN 0
         * (so without trunks it carries every VLAN but 0). */
        if (out->all_trunks) {
            memset(out->trunks, 0xff, sizeof out->trunks);
            out->all_trunks = false;
        }
        out->trunks[out->vlan >> 6] |= 1ull << (out->vlan & 63);
        out->trunks[0] &= ~1ull;
    }
    return 0;
}

void
vsw_vlan_cfg_format(const struct vsw_vlan_cfg *cfg, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    if (cfg->tag >= 0) {
        n += (size_t) snprintf(buf + n, size - n, "tag=%d", cfg->tag);
    }
    if (n < size && cfg->n_trunks) {
        n += (size_t) snprintf(buf + n, size - n, "%strunks=", n ? " " : "");
        for (unsigned i = 0; i < cfg->n_trunks && n < size; i++) {
            n += (size_t) snprintf(buf + n, size - n, "%s%u", i ? "," : "", cfg->trunks[i]);
        }
    }
    if (n < size && cfg->has_mode) {
        snprintf(buf + n, size - n, "%svlan_mode=%s", n ? " " : "", mode_names[cfg->mode]);
    }
}
