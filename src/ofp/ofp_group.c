/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ovs-ofctl group syntax (src/group/group.h): parsing the lines
 * add-group and mod-group take and printing them back as
 * `ovs-ofctl -O OpenFlow15 dump-groups` does.
 *
 * Accepted as ovs-ofctl 3.1 accepts it: group_id, type (all, select,
 * indirect, ff or fast_failover), selection_method (hash, dp_hash) with
 * selection_method_param and, for hash, fields(NAME[=MASK],...) or
 * fields=NAME, then the buckets, each "bucket=" followed by bucket_id:N,
 * weight:N, watch_port:N, watch_group:N and actions=... (or the actions
 * alone: "bucket=output:2").  Checks and their words are ovs-ofctl's
 * ("must specify a group_id", "Indirect groups can have at most one
 * bucket.", ...); a bucket without bucket_id gets the lowest id no later
 * bucket uses, as ovs-ofctl's OpenFlow 1.5 encoding assigns them.
 *
 * Thread safety: pure functions (control thread).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "group/group.h"
#include "vsw/fields.h"
#include "vsw/ofp_actions.h"
#include "vsw/ofp_lex.h"

#define fail vsw_ofp_fail

/* The name OVS prints for a selection field (its OXM name). */
static const char *
field_oxm_name(const struct vsw_field *f)
{
    switch (f->id) {
    case VSW_F_ETH_SRC: return "eth_src";
    case VSW_F_ETH_DST: return "eth_dst";
    case VSW_F_ETH_TYPE: return "eth_type";
    case VSW_F_IPV4_SRC: return "ip_src";
    case VSW_F_IPV4_DST: return "ip_dst";
    case VSW_F_IP_PROTO: return "nw_proto";
    case VSW_F_TCP_SRC: return "tcp_src";
    case VSW_F_TCP_DST: return "tcp_dst";
    case VSW_F_UDP_SRC: return "udp_src";
    case VSW_F_UDP_DST: return "udp_dst";
    case VSW_F_SCTP_SRC: return "sctp_src";
    case VSW_F_SCTP_DST: return "sctp_dst";
    default: return f->name;
    }
}

static bool
all_zero(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static bool
all_ones(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/* Parses a selection field's mask 'val' for 'f' (network order, width). */
static int
parse_field_mask(const struct vsw_field *f, const char *name, const char *val,
                 uint8_t mask[16], char *err, size_t err_size)
{
    size_t n = strlen(val);
    uint64_t v;

    memset(mask, 0, 16);
    switch (f->format) {
    case VSW_FF_MAC:
        if (vsw_ofp_parse_mac(val, n, mask)) {
            return fail(err, err_size, EINVAL, "%s: invalid Ethernet address", val);
        }
        return 0;
    case VSW_FF_IPV4: {
        rte_be32_t ip;
        if (vsw_ofp_parse_ipv4(val, n, &ip)) {
            return fail(err, err_size, EINVAL, "%s: could not convert to IP address", val);
        }
        memcpy(mask, &ip, 4);
        return 0;
    }
    case VSW_FF_IPV6:
        if (vsw_ofp_parse_ipv6(val, n, mask)) {
            return fail(err, err_size, EINVAL, "%s: could not convert to IPv6 address", val);
        }
        return 0;
    default:
        if (f->width > 8 || vsw_ofp_parse_uint(val, n, f->width == 8 ? UINT64_MAX
                                               : (UINT64_C(1) << (8 * f->width)) - 1, &v)) {
            return fail(err, err_size, EINVAL, "%s: invalid value for field %s", val, name);
        }
        for (unsigned i = 0; i < f->width; i++) {
            mask[f->width - 1 - i] = (uint8_t) (v >> (8 * i));
        }
        return 0;
    }
}

/* Where OVS's field ids (meta-flow.h) put field 'id': selection fields are
 * kept, printed and hashed in that order. */
static int
ovs_rank(uint8_t id)
{
    static const uint8_t headers[] = {
        VSW_F_ETH_SRC, VSW_F_ETH_DST, VSW_F_ETH_TYPE, VSW_F_VLAN_TCI, VSW_F_DL_VLAN,
        VSW_F_VLAN_VID, VSW_F_VLAN_PCP, VSW_F_IPV4_SRC, VSW_F_IPV4_DST, VSW_F_IPV6_SRC,
        VSW_F_IPV6_DST, VSW_F_IPV6_LABEL, VSW_F_IP_PROTO, VSW_F_NW_TOS, VSW_F_IP_DSCP,
        VSW_F_IP_ECN, VSW_F_NW_TTL, VSW_F_IP_FRAG, VSW_F_ARP_OP, VSW_F_ARP_SPA,
        VSW_F_ARP_TPA, VSW_F_ARP_SHA, VSW_F_ARP_THA, VSW_F_TCP_SRC, VSW_F_TCP_DST,
        VSW_F_TCP_FLAGS, VSW_F_UDP_SRC, VSW_F_UDP_DST, VSW_F_SCTP_SRC, VSW_F_SCTP_DST,
        VSW_F_ICMP_TYPE, VSW_F_ICMP_CODE, VSW_F_ND_TARGET, VSW_F_ND_SLL, VSW_F_ND_TLL,
    };

    if (id == VSW_F_METADATA) {
        return 0;
    } else if (id == VSW_F_IN_PORT) {
        return 1;
    } else if (id >= VSW_F_REG0 && id < VSW_F_N) {
        return 2 + (id - VSW_F_REG0);   /* reg0-15, then xreg0-7. */
    }
    for (size_t i = 0; i < sizeof headers; i++) {
        if (headers[i] == id) {
            return 100 + (int) i;
        }
    }
    return 200 + id;
}

static int
field_cmp(const void *a_, const void *b_)
{
    const struct vsw_group_field *a = a_, *b = b_;

    return ovs_rank(a->id) - ovs_rank(b->id);
}

/* fields(...) or fields=NAME. */
static int
parse_fields(struct vsw_group *g, char *s, char *err, size_t err_size)
{
    char *key, *val;

    while (vsw_ofp_next_kv(&s, &key, &val)) {
        const struct vsw_field_name *fn = vsw_field_name_find(key);
        const struct vsw_field *f;
        struct vsw_group_field *gf;
        int error;

        if (!fn) {
            return fail(err, err_size, EINVAL, "%s: unknown field %s", s, key);
        }
        f = vsw_field_get(fn->id);
        for (unsigned i = 0; i < g->n_fields; i++) {
            if (g->fields[i].id == f->id) {
                return fail(err, err_size, EINVAL, "%s: duplicate field", key);
            }
        }
        if (g->n_fields == VSW_GROUP_MAX_FIELDS) {
            return fail(err, err_size, E2BIG, "too many fields (at most %d)",
                        VSW_GROUP_MAX_FIELDS);
        }
        gf = &g->fields[g->n_fields];
        gf->id = (uint8_t) f->id;
        if (*val) {
            error = parse_field_mask(f, key, val, gf->mask, err, err_size);
            if (error) {
                return error;
            }
            if (all_zero(gf->mask, f->width)) {
                return fail(err, err_size, EINVAL,
                            "%s: values are wildcards here and must not be all-zeros", s);
            }
        } else {
            memset(gf->mask, 0xff, f->width);
        }
        g->n_fields++;
    }
    qsort(g->fields, g->n_fields, sizeof g->fields[0], field_cmp);
    return 0;
}

static int
parse_u32(const char *name, const char *val, uint32_t *out, char *err, size_t err_size)
{
    uint64_t v;

    if (vsw_ofp_parse_uint(val, strlen(val), UINT32_MAX, &v)) {
        return fail(err, err_size, EINVAL, "invalid numeric format %s", val);
    }
    (void) name;
    *out = (uint32_t) v;
    return 0;
}

/* parse_bucket() with its buffer 'acts' of 'acts_size' bytes. */
static int
parse_bucket__(struct vsw_group *g, char *s, struct vsw_bucket *b, char *acts, size_t acts_size,
               char *err, size_t err_size)
{
    size_t alen = 0;
    char *key, *val;
    int error;

    b->weight = g->type == VSW_GT_SELECT ? 1 : 0;
    b->bucket_id = VSW_BUCKET_UNSET;
    b->watch_port = VSW_OFPP_NONE;
    b->watch_group = VSW_OFPG_ANY;
    acts[0] = '\0';
    while (vsw_ofp_next_kv(&s, &key, &val)) {
        uint32_t v = 0;

        if (!strcasecmp(key, "weight")) {
            uint64_t w;
            if (vsw_ofp_parse_uint(val, strlen(val), UINT16_MAX, &w)) {
                return fail(err, err_size, EINVAL,
                            "invalid numeric format %s for weight", val);
            }
            b->weight = (uint16_t) w;
        } else if (!strcasecmp(key, "watch_port")) {
            if (!strcasecmp(val, "any")) {
                v = VSW_OFPP_NONE;
            } else if (!strcasecmp(val, "controller")) {
                v = VSW_OFPP_CONTROLLER;
            } else if (!vsw_all_digits(val) || parse_u32(key, val, &v, err, err_size)
                       || v >= 0xff00) {
                return fail(err, err_size, EINVAL, "%s: invalid watch_port", val);
            }
            b->watch_port = v;
        } else if (!strcasecmp(key, "watch_group")) {
            error = parse_u32(key, val, &v, err, err_size);
            if (error) {
                return error;
            }
            if (v > VSW_OFPG_MAX) {
                return fail(err, err_size, EINVAL, "invalid watch_group id %" PRIu32, v);
            }
            b->watch_group = v;
        } else if (!strcasecmp(key, "bucket_id")) {
            error = parse_u32(key, val, &v, err, err_size);
            if (error) {
                return error;
            }
            if (v > VSW_BUCKET_MAX) {
                return fail(err, err_size, EINVAL, "invalid bucket_id id %" PRIu32, v);
            }
            b->bucket_id = v;
        } else {
            int n;
            if (!strcasecmp(key, "action") || !strcasecmp(key, "actions")) {
                n = snprintf(acts + alen, acts_size - alen, "%s,", val);
            } else if (*val) {
                /* An action's argument, written back the way the action
                 * parser reads it. */
                n = snprintf(acts + alen, acts_size - alen,
                             strchr(val, ',') ? "%s(%s)," : "%s:%s,", key, val);
            } else {
                n = snprintf(acts + alen, acts_size - alen, "%s,", key);
            }
            if (n < 0 || (size_t) n >= acts_size - alen) {
                return fail(err, err_size, E2BIG, "bucket actions too long");
            }
            alen += (size_t) n;
        }
    }
    if (!alen) {
        return fail(err, err_size, EINVAL, "bucket must specify actions");
    }
    if (g->type == VSW_GT_FF && b->watch_port == VSW_OFPP_NONE
        && b->watch_group == VSW_OFPG_ANY) {
        return fail(err, err_size, EINVAL,
                    "fast failover bucket requires watch_port or watch_group");
    }
    acts[alen - 1] = '\0';
    error = vsw_actions_parse_unchecked(acts, &b->actions, err, err_size);
    for (uint32_t i = 0; !error && i < b->actions->n; i++) {
        uint8_t t = b->actions->a[i].type;
        if (t == VSW_ACT_GOTO_TABLE || t == VSW_ACT_WRITE_METADATA) {
            /* Instructions, not actions (ovs-ofctl's words). */
            error = fail(err, err_size, EINVAL, "%s instruction not allowed here",
                         t == VSW_ACT_GOTO_TABLE ? "goto_table" : "write_metadata");
            vsw_actions_free(b->actions);
            b->actions = NULL;
        }
    }
    return error;
}

/* One bucket's text (after "bucket="). */
static int
parse_bucket(struct vsw_group *g, char *s, struct vsw_bucket *b, char *err, size_t err_size)
{
    /* The bucket's actions, written back as the action parser reads them:
     * each token of 's' grows by at most 3 bytes ("k=v" -> "k(v),"), so
     * twice its length is room enough, and the action parser's own limit
     * (its number of actions) is the only one: a bucket that parses prints
     * as text that parses again, however short its tokens were. */
    size_t acts_size = 2 * strlen(s) + 16;
    char *acts = malloc(acts_size);
    int error;

    if (!acts) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    error = parse_bucket__(g, s, b, acts, acts_size, err, err_size);
    free(acts);
    return error;
}

static struct vsw_bucket *
bucket_alloc(void)
{
    struct vsw_bucket *b = aligned_alloc(RTE_CACHE_LINE_SIZE,
                                         RTE_ALIGN_CEIL(sizeof *b, RTE_CACHE_LINE_SIZE));
    if (b) {
        memset(b, 0, sizeof *b);
        b->c.kind = VSW_COUNTED_BUCKET;
    }
    return b;
}

/* Gives the buckets without an id the lowest id that no later bucket has
 * (ovs-ofctl's OpenFlow 1.5 encoding), then refuses duplicates. */
static int
assign_bucket_ids(struct vsw_group *g, char *err, size_t err_size)
{
    for (unsigned i = 0; i < g->n_buckets; i++) {
        if (g->buckets[i]->bucket_id != VSW_BUCKET_UNSET) {
            continue;
        }
        /* The pool: the ids of the buckets after the first unset one, and
         * the ids handed out since. */
        for (uint32_t id = 0;; id++) {
            bool used = false;
            for (unsigned j = i + 1; j < g->n_buckets && !used; j++) {
                used = g->buckets[j]->bucket_id == id;
            }
            for (unsigned j = 0; j < i && !used; j++) {
                used = g->buckets[j]->bucket_id == id && g->buckets[j]->c.dead;
            }
            if (!used) {
                g->buckets[i]->bucket_id = id;
                g->buckets[i]->c.dead = true;   /* Marks "assigned" for now. */
                break;
            }
        }
    }
    for (unsigned i = 0; i < g->n_buckets; i++) {
        g->buckets[i]->c.dead = false;
    }
    for (unsigned i = 0; i < g->n_buckets; i++) {
        for (unsigned j = i + 1; j < g->n_buckets; j++) {
            if (g->buckets[i]->bucket_id == g->buckets[j]->bucket_id) {
                return fail(err, err_size, EINVAL, "OFPGMFC_BUCKET_EXISTS");
            }
        }
    }
    return 0;
}

int
vsw_group_parse(const char *s_, struct vsw_group **out, char *err, size_t err_size)
{
    struct vsw_group *g;
    char *s = strdup(s_), *bkt, *pos, *key, *val;
    bool had_type = false, had_id = false;
    int error = 0;

    *out = NULL;
    g = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof *g, RTE_CACHE_LINE_SIZE));
    if (!g || !s) {
        free(g);
        free(s);
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    memset(g, 0, sizeof *g);
    g->c.kind = VSW_COUNTED_GROUP;
    g->group_id = VSW_OFPG_ANY;

    bkt = strstr(s, "bucket=");
    if (bkt) {
        *bkt = '\0';
    }
    pos = s;
    while (vsw_ofp_next_kv(&pos, &key, &val)) {
        if (!strcmp(key, "group_id")) {
            if (!strcmp(val, "all")) {
                g->group_id = VSW_OFPG_ALL;
            } else {
                error = parse_u32(key, val, &g->group_id, err, err_size);
                if (error) {
                    goto out;
                }
                if (g->group_id != VSW_OFPG_ALL && g->group_id > VSW_OFPG_MAX) {
                    error = fail(err, err_size, EINVAL, "invalid group id %" PRIu32,
                                 g->group_id);
                    goto out;
                }
            }
            had_id = true;
        } else if (!strcmp(key, "type")) {
            if (!strcmp(val, "all")) {
                g->type = VSW_GT_ALL;
            } else if (!strcmp(val, "select")) {
                g->type = VSW_GT_SELECT;
            } else if (!strcmp(val, "indirect")) {
                g->type = VSW_GT_INDIRECT;
            } else if (!strcmp(val, "ff") || !strcmp(val, "fast_failover")) {
                g->type = VSW_GT_FF;
            } else {
                error = fail(err, err_size, EINVAL, "invalid group type %s", val);
                goto out;
            }
            had_type = true;
        } else if (!strcmp(key, "selection_method")) {
            if (strlen(val) >= sizeof g->selection_method) {
                error = fail(err, err_size, EINVAL,
                             "selection method is longer than 15 bytes long");
                goto out;
            }
            strcpy(g->selection_method, val);
        } else if (!strcmp(key, "selection_method_param")) {
            if (vsw_ofp_parse_uint(val, strlen(val), UINT64_MAX,
                                   &g->selection_method_param)) {
                error = fail(err, err_size, EINVAL, "invalid numeric format %s", val);
                goto out;
            }
        } else if (!strcmp(key, "fields")) {
            error = parse_fields(g, val, err, err_size);
            if (error) {
                goto out;
            }
        } else {
            error = fail(err, err_size, EINVAL, "unknown keyword %s", key);
            goto out;
        }
    }
    if (!had_id || g->group_id == VSW_OFPG_ANY) {
        error = fail(err, err_size, EINVAL, "must specify a group_id");
        goto out;
    }
    if (!had_type) {
        error = fail(err, err_size, EINVAL, "must specify a type");
        goto out;
    }
    if (strcmp(g->selection_method, "hash") && g->n_fields) {
        error = fail(err, err_size, EINVAL,
                     "fields may only be specified with \"selection_method=hash\"");
        goto out;
    }
    if (!g->selection_method[0] && g->selection_method_param) {
        error = fail(err, err_size, EINVAL,
                     "selection_method_param is only allowed with \"selection_method\"");
        goto out;
    }
    while (bkt) {
        char *next;
        struct vsw_bucket *b, **v;

        bkt += strlen("bucket=");
        next = strstr(bkt, "bucket=");
        if (next) {
            *next = '\0';
        }
        b = bucket_alloc();
        v = realloc(g->buckets, (g->n_buckets + 1) * sizeof *v);
        if (!b || !v) {
            free(b);
            if (v) {
                g->buckets = v;
            }
            error = fail(err, err_size, ENOMEM, "out of memory");
            goto out;
        }
        g->buckets = v;
        error = parse_bucket(g, bkt, b, err, err_size);
        if (error) {
            vsw_actions_free(b->actions);
            free(b);
            goto out;
        }
        g->buckets[g->n_buckets++] = b;
        if (g->type != VSW_GT_SELECT && b->weight) {
            error = fail(err, err_size, EINVAL, "Only select groups can have bucket weights.");
            goto out;
        }
        bkt = next;
    }
    if (g->type == VSW_GT_INDIRECT && g->n_buckets > 1) {
        error = fail(err, err_size, EINVAL, "Indirect groups can have at most one bucket.");
        goto out;
    }
    if (g->selection_method[0] && strcmp(g->selection_method, "hash")
        && strcmp(g->selection_method, "dp_hash")) {
        /* What the switch answers (OVS ofproto: unknown selection method). */
        error = fail(err, err_size, EINVAL, "OFPGMFC_BAD_PROP_VALUE");
        goto out;
    }
    if (g->group_id == VSW_OFPG_ALL) {
        error = fail(err, err_size, EINVAL, "OFPGMFC_INVALID_GROUP");
        goto out;
    }
    for (unsigned i = 0; i < g->n_buckets; i++) {
        const struct vsw_bucket *b = g->buckets[i];
        if (g->type != VSW_GT_FF && (b->watch_port != VSW_OFPP_NONE
                                     || b->watch_group != VSW_OFPG_ANY)) {
            error = fail(err, err_size, EINVAL, "OFPGMFC_WATCH_UNSUPPORTED");
            goto out;
        }
    }
    error = assign_bucket_ids(g, err, err_size);
    if (error) {
        goto out;
    }
    for (unsigned i = 0; i < g->n_buckets; i++) {
        if (vsw_bucket_build_set(g->buckets[i])) {
            error = fail(err, err_size, ENOMEM, "out of memory");
            goto out;
        }
    }
    vsw_group_setup_selection(g);

out:
    free(s);
    if (error) {
        vsw_group_free(g);
        return error;
    }
    *out = g;
    return 0;
}

/* ---- Printing. ---- */

static void
put_field(struct vsw_buf *out, const struct vsw_group_field *gf)
{
    const struct vsw_field *f = vsw_field_get((enum vsw_field_id) gf->id);
    char tmp[64];
    struct vsw_ofp_buf b;

    vsw_buf_printf(out, "%s", field_oxm_name(f));
    if (all_ones(gf->mask, f->width)) {
        return;
    }
    vsw_ofp_buf_init(&b, tmp, sizeof tmp);
    switch (f->format) {
    case VSW_FF_MAC:
        vsw_ofp_buf_put_mac(&b, gf->mask);
        break;
    case VSW_FF_IPV4: {
        rte_be32_t ip;
        memcpy(&ip, gf->mask, 4);
        vsw_ofp_buf_put_ipv4(&b, ip);
        break;
    }
    case VSW_FF_IPV6:
        vsw_ofp_buf_put_ipv6(&b, gf->mask);
        break;
    case VSW_FF_HEX: {
        uint64_t v = 0;
        for (unsigned i = 0; i < f->width; i++) {
            v = v << 8 | gf->mask[i];
        }
        vsw_ofp_buf_printf(&b, "0x%" PRIx64, v);
        break;
    }
    default: {
        uint64_t v = 0;
        for (unsigned i = 0; i < f->width; i++) {
            v = v << 8 | gf->mask[i];
        }
        vsw_ofp_buf_printf(&b, "%" PRIu64, v);
        break;
    }
    }
    vsw_buf_printf(out, "=%s", tmp);
}

void
vsw_group_format(const struct vsw_group *g, struct vsw_buf *out)
{
    static const char *const types[] = { "all", "select", "indirect", "ff" };

    vsw_buf_printf(out, "group_id=%" PRIu32 ",type=%s", g->group_id, types[g->type & 3]);
    if (g->selection_method[0]) {
        vsw_buf_printf(out, ",selection_method=%s", g->selection_method);
        if (g->selection_method_param) {
            vsw_buf_printf(out, ",selection_method_param=%" PRIu64,
                           g->selection_method_param);
        }
        if (g->n_fields == 1) {
            vsw_buf_printf(out, ",fields=");
            put_field(out, &g->fields[0]);
        } else if (g->n_fields > 1) {
            vsw_buf_printf(out, ",fields(");
            for (unsigned i = 0; i < g->n_fields; i++) {
                if (i) {
                    vsw_buf_printf(out, ",");
                }
                put_field(out, &g->fields[i]);
            }
            vsw_buf_printf(out, ")");
        }
    }
    for (unsigned i = 0; i < g->n_buckets; i++) {
        const struct vsw_bucket *b = g->buckets[i];
        char probe[1], *acts;
        int need;

        vsw_buf_printf(out, ",bucket=bucket_id:%" PRIu32 ",", b->bucket_id);
        if (b->weight != (g->type == VSW_GT_SELECT ? 1 : 0)) {
            vsw_buf_printf(out, "weight:%u,", b->weight);
        }
        if (b->watch_port != VSW_OFPP_NONE) {
            if (b->watch_port == VSW_OFPP_CONTROLLER) {
                vsw_buf_printf(out, "watch_port:CONTROLLER,");
            } else {
                vsw_buf_printf(out, "watch_port:%" PRIu32 ",", b->watch_port);
            }
        }
        if (b->watch_group != VSW_OFPG_ANY) {
            vsw_buf_printf(out, "watch_group:%" PRIu32 ",", b->watch_group);
        }
        need = vsw_actions_format(b->actions, probe, sizeof probe) + 1;
        acts = malloc((size_t) need);
        if (acts) {
            vsw_actions_format(b->actions, acts, (size_t) need);
            vsw_buf_printf(out, "actions=%s", acts);
            free(acts);
        }
    }
}
