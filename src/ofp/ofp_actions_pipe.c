/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline actions in the ovs-ofctl syntax: resubmit, goto_table,
 * write_metadata, group and controller here, load, move and set_field on
 * registers and metadata (and masked set_field) in ofp_actions_field.c.
 * ofp_actions.c hands over every action keyword it does not know
 * (ofp_act_parse_pipe()) and every action type it cannot print
 * (ofp_act_format_pipe()); the translation of these actions lives in
 * src/xlate/ (xlate_pipe.c, xlate_group.c, xlate_controller.c).
 *
 * As for the other actions, the list we build is the one an Open vSwitch
 * switch holds after `ovs-ofctl -O OpenFlow13 add-flow`, and it prints as
 * `ovs-ofctl -O OpenFlow13 dump-flows` does.  Consequences:
 *
 *  - controller prints as CONTROLLER:MAX_LEN unless it has a reason other
 *    than "action", an id or userdata.
 *  - write_metadata and goto_table are OpenFlow 1.1+ instructions: at most
 *    one each, write_metadata after every other action, goto_table last.
 *    The rule's own table is not known here: ofp_flow_mod.c checks that
 *    goto_table goes forward.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ofp/ofp_actions_int.h"
#include "vsw/fields.h"
#include "util.h"

#define fail vsw_ofp_fail

#define MAX_OF_PORT 0xfeff   /* Largest numbered OpenFlow port (OFPP_MAX - 1). */

/* ------------------------------------------------------------------------ */
/* resubmit, goto_table, write_metadata, group. */

static int
parse_resubmit(struct ofp_act_builder *b, char *arg, char *err, size_t err_size)
{
    char *parts[3] = { arg, NULL, NULL };
    uint32_t port = VSW_OFPP_IN_PORT;
    uint64_t table = 255;
    struct vsw_action *a;

    for (int i = 0; i < 2 && parts[i]; i++) {
        char *c = strchr(parts[i], ',');
        if (c) {
            *c = '\0';
            parts[i + 1] = c + 1;
        }
    }
    if (parts[2]) {
        if (!strcmp(parts[2], "ct")) {
            return fail(err, err_size, ENOTSUP,
                        "resubmit: \"ct\" (connection tracking) is not supported by vsw");
        }
        return fail(err, err_size, EINVAL, "resubmit: unknown option \"%s\"", parts[2]);
    }
    if (*parts[0] && strcasecmp(parts[0], "in_port")) {
        uint64_t n;

        if (!vsw_all_digits(parts[0])) {
            static const char *const reserved[] = {
                "local", "normal", "flood", "all", "controller", "table", "none",
            };
            for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
                if (!strcasecmp(parts[0], reserved[i])) {
                    return fail(err, err_size, ENOTSUP,
                                "resubmit: port %s is not supported by vsw", parts[0]);
                }
            }
            return fail(err, err_size, EINVAL, "%s: resubmit to unknown port", parts[0]);
        }
        if (vsw_ofp_parse_uint(parts[0], strlen(parts[0]), MAX_OF_PORT, &n)) {
            return fail(err, err_size, ERANGE,
                        "resubmit: port %s is out of range (0 to %u)", parts[0],
                        MAX_OF_PORT);
        }
        port = (uint32_t) n;
    }
    if (parts[1] && *parts[1]) {
        if (vsw_ofp_parse_uint(parts[1], strlen(parts[1]), 255, &table)) {
            return fail(err, err_size, EINVAL, "%s: resubmit to unknown table", parts[1]);
        }
    }
    if (port == VSW_OFPP_IN_PORT && table == 255) {
        return fail(err, err_size, EINVAL,
                    "at least one \"in_port\" or \"table\" must be specified on "
                    "resubmit");
    }
    a = ofp_act_add(b, VSW_ACT_RESUBMIT, 0);
    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    a->resubmit.port = port;
    a->resubmit.table = (uint8_t) table;
    return 0;
}

/* Parses "V[/M]" as two 64-bit numbers. */
static int
parse_u64_masked(const char *what, const char *val, uint64_t *v, uint64_t *m,
                 char *err, size_t err_size)
{
    const char *slash = strchr(val, '/');
    size_t n = slash ? (size_t) (slash - val) : strlen(val);

    *m = UINT64_MAX;
    if (vsw_ofp_parse_uint(val, n, UINT64_MAX, v)
        || (slash && vsw_ofp_parse_uint(slash + 1, strlen(slash + 1), UINT64_MAX, m))) {
        return fail(err, err_size, EINVAL, "%s: \"%s\" is not a 64-bit value[/mask]",
                    what, val);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* controller. */

static const char *const reason_names[] = {
    [VSW_PIN_NO_MATCH] = "no_match", [VSW_PIN_ACTION] = "action",
    [VSW_PIN_INVALID_TTL] = "invalid_ttl", [VSW_PIN_ACTION_SET] = "action_set",
    [VSW_PIN_GROUP] = "group", [VSW_PIN_PACKET_OUT] = "packet_out",
};

static int
add_ctrl(struct ofp_act_builder *b, uint16_t max_len, uint16_t id, uint8_t reason,
         const uint8_t *ud, size_t ud_len, char *err, size_t err_size)
{
    struct vsw_action *a;
    long ofs = 0;

    if (ud_len) {
        ofs = ofp_act_add_blob(b, ud, ud_len);
        if (ofs < 0 || ofs > UINT16_MAX) {
            return fail(err, err_size, ENOMEM, "controller: out of room for userdata");
        }
    }
    a = ofp_act_add(b, VSW_ACT_CONTROLLER, 0);
    if (!a) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    a->ctrl.max_len = max_len;
    a->ctrl.id = id;
    a->ctrl.reason = reason;
    a->ctrl.userdata_len = (uint8_t) ud_len;
    a->ctrl.userdata_ofs = (uint16_t) ofs;
    return 0;
}

int
ofp_act_add_controller(struct ofp_act_builder *b, uint16_t max_len,
                       char *err, size_t err_size)
{
    return add_ctrl(b, max_len, 0, VSW_PIN_ACTION, NULL, 0, err, err_size);
}

static int
hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int
parse_controller(struct ofp_act_builder *b, char *arg, char *err, size_t err_size)
{
    uint8_t ud[VSW_CTRL_USERDATA_MAX];
    size_t ud_len = 0;
    uint64_t max_len = UINT16_MAX, id = 0;
    uint8_t reason = VSW_PIN_ACTION;
    char *p = arg;

    if (!strchr(arg, '=') && *arg && !strchr(arg, ',')
        && strcmp(arg, "pause")) {
        if (vsw_ofp_parse_uint(arg, strlen(arg), UINT16_MAX, &max_len)) {
            return fail(err, err_size, EINVAL, "invalid max_len \"%s\"", arg);
        }
        return ofp_act_add_controller(b, (uint16_t) max_len, err, err_size);
    }
    while (*p) {
        char *item = p, *eq;
        size_t n = strcspn(p, ",");

        p += n;
        if (*p) {
            *p++ = '\0';
        }
        if (!*item) {
            continue;
        }
        eq = strchr(item, '=');
        if (eq) {
            *eq = '\0';
        }
        if (!strcmp(item, "pause") || !strcmp(item, "meter_id")) {
            return fail(err, err_size, ENOTSUP,
                        "controller: \"%s\" is not supported by vsw", item);
        } else if (!eq) {
            return fail(err, err_size, EINVAL,
                        "unknown key \"%s\" parsing controller action", item);
        } else if (!strcmp(item, "max_len")) {
            if (vsw_ofp_parse_uint(eq + 1, strlen(eq + 1), UINT16_MAX, &max_len)) {
                return fail(err, err_size, EINVAL, "invalid max_len \"%s\"", eq + 1);
            }
        } else if (!strcmp(item, "id")) {
            if (vsw_ofp_parse_uint(eq + 1, strlen(eq + 1), UINT16_MAX, &id)) {
                return fail(err, err_size, EINVAL, "invalid id \"%s\"", eq + 1);
            }
        } else if (!strcmp(item, "reason")) {
            size_t i;
            for (i = 0; i < sizeof reason_names / sizeof reason_names[0]; i++) {
                if (!strcmp(eq + 1, reason_names[i])) {
                    break;
                }
            }
            if (i == sizeof reason_names / sizeof reason_names[0]) {
                return fail(err, err_size, EINVAL, "unknown reason \"%s\"", eq + 1);
            }
            reason = (uint8_t) i;
        } else if (!strcmp(item, "userdata")) {
            const char *h = eq + 1;

            ud_len = 0;
            while (*h) {
                int hi, lo;

                if (*h == '.') {
                    h++;
                    continue;
                }
                hi = hex_digit(h[0]);
                lo = hi < 0 ? -1 : hex_digit(h[1]);
                if (lo < 0) {
                    return fail(err, err_size, EINVAL,
                                "bad hex digit in `controller' action `userdata'");
                }
                if (ud_len == sizeof ud) {
                    return fail(err, err_size, ENOTSUP,
                                "controller: userdata longer than %d bytes is not "
                                "supported by vsw", VSW_CTRL_USERDATA_MAX);
                }
                ud[ud_len++] = (uint8_t) (hi << 4 | lo);
                h += 2;
            }
        } else {
            return fail(err, err_size, EINVAL,
                        "unknown key \"%s\" parsing controller action", item);
        }
    }
    return add_ctrl(b, (uint16_t) max_len, (uint16_t) id, reason, ud, ud_len, err,
                    err_size);
}

/* ------------------------------------------------------------------------ */
/* Dispatch. */

int
ofp_act_parse_pipe(struct ofp_act_builder *b, struct ofp_pkt_state *st,
                   const char *key, char *val, char *err, size_t err_size)
{
    struct vsw_action *a;
    uint64_t v, m;
    int error;

    if (!strcasecmp(key, "resubmit")) {
        return parse_resubmit(b, val, err, err_size);
    } else if (!strcasecmp(key, "goto_table")) {
        if (!*val || vsw_ofp_parse_uint(val, strlen(val), 254, &v)) {
            return fail(err, err_size, EINVAL,
                        "goto_table: \"%s\" is not a table number (0 to 254)", val);
        }
        a = ofp_act_add(b, VSW_ACT_GOTO_TABLE, 0);
        if (a) {
            a->resubmit.port = VSW_OFPP_IN_PORT;
            a->resubmit.table = (uint8_t) v;
        }
    } else if (!strcasecmp(key, "write_metadata")) {
        error = parse_u64_masked(key, val, &v, &m, err, err_size);
        if (error) {
            return error;
        }
        a = ofp_act_add(b, VSW_ACT_WRITE_METADATA, 0);
        if (a) {
            /* Kept as written (OVS prints the value outside the mask too);
             * the translation applies the mask. */
            a->md.value = v;
            a->md.mask = m;
        }
    } else if (!strcasecmp(key, "load")) {
        return ofp_act_parse_load(b, st, val, err, err_size);
    } else if (!strcasecmp(key, "move")) {
        return ofp_act_parse_move(b, st, val, err, err_size);
    } else if (!strcasecmp(key, "group")) {
        if (!*val) {
            return fail(err, err_size, EINVAL,
                        "group: missing required numeric argument");
        }
        error = vsw_ofp_parse_uint(val, strlen(val), UINT32_MAX, &v);
        if (error) {
            return fail(err, err_size, error, "group: \"%s\" is not a group id (0 to %u)",
                        val, UINT32_MAX);
        }
        a = ofp_act_add(b, VSW_ACT_GROUP, 0);
        if (a) {
            a->group = (uint32_t) v;
        }
    } else if (!strcasecmp(key, "controller")) {
        return parse_controller(b, val, err, err_size);
    } else {
        return ENOENT;
    }
    return a ? 0 : fail(err, err_size, ENOMEM, "out of memory");
}

static bool
is_instruction(uint8_t type)
{
    return type == VSW_ACT_WRITE_METADATA || type == VSW_ACT_GOTO_TABLE;
}

int
ofp_act_check_order(const struct ofp_act_builder *b, char *err, size_t err_size)
{
    bool md = false, go = false;

    for (uint32_t i = 0; i < b->n; i++) {
        uint8_t t = b->a[i].type;
        const char *after = go ? "goto_table" : md ? "write_metadata" : NULL;

        if (t == VSW_ACT_GOTO_TABLE && go) {
            return fail(err, err_size, EINVAL, "duplicate goto_table instruction not "
                        "allowed, for OpenFlow 1.1+ compatibility");
        } else if (t == VSW_ACT_WRITE_METADATA && md) {
            return fail(err, err_size, EINVAL, "duplicate write_metadata instruction "
                        "not allowed, for OpenFlow 1.1+ compatibility");
        } else if (after && (!is_instruction(t) || t == VSW_ACT_WRITE_METADATA)) {
            return fail(err, err_size, EINVAL, "invalid instruction ordering: %s must "
                        "appear before %s, for OpenFlow 1.1+ compatibility",
                        is_instruction(t) ? "write_metadata" : "apply_actions", after);
        }
        md |= t == VSW_ACT_WRITE_METADATA;
        go |= t == VSW_ACT_GOTO_TABLE;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Printing. */

static void
put_port(struct vsw_ofp_buf *out, uint32_t port)
{
    vsw_ofp_buf_printf(out, "%u", port);
}

bool
ofp_act_format_pipe(struct vsw_ofp_buf *out, const struct vsw_actions *acts,
                    const struct vsw_action *a)
{
    switch ((enum vsw_action_type) a->type) {
    case VSW_ACT_RESUBMIT:
        if (a->resubmit.port != VSW_OFPP_IN_PORT && a->resubmit.table == 255) {
            vsw_ofp_buf_printf(out, "resubmit:");
            put_port(out, a->resubmit.port);
        } else {
            vsw_ofp_buf_printf(out, "resubmit(");
            if (a->resubmit.port != VSW_OFPP_IN_PORT) {
                put_port(out, a->resubmit.port);
            }
            vsw_ofp_buf_printf(out, ",");
            if (a->resubmit.table != 255) {
                vsw_ofp_buf_printf(out, "%u", a->resubmit.table);
            }
            vsw_ofp_buf_printf(out, ")");
        }
        return true;
    case VSW_ACT_GOTO_TABLE:
        vsw_ofp_buf_printf(out, "goto_table:%u", a->resubmit.table);
        return true;
    case VSW_ACT_WRITE_METADATA:
        vsw_ofp_buf_printf(out, "write_metadata:%#llx", (unsigned long long) a->md.value);
        if (a->md.mask != UINT64_MAX) {
            vsw_ofp_buf_printf(out, "/%#llx", (unsigned long long) a->md.mask);
        }
        return true;
    case VSW_ACT_LOAD:
    case VSW_ACT_MOVE:
        return ofp_act_format_field(out, a);
    case VSW_ACT_GROUP:
        vsw_ofp_buf_printf(out, "group:%u", a->group);
        return true;
    case VSW_ACT_CONTROLLER: {
        const uint8_t *ud = vsw_actions_blob(acts) + a->ctrl.userdata_ofs;
        const char *sep = "";

        if (a->ctrl.reason == VSW_PIN_ACTION && !a->ctrl.id && !a->ctrl.userdata_len) {
            vsw_ofp_buf_printf(out, "CONTROLLER:%u", a->ctrl.max_len);
            return true;
        }
        vsw_ofp_buf_printf(out, "controller(");
        if (a->ctrl.reason != VSW_PIN_ACTION) {
            size_t n_reasons = sizeof reason_names / sizeof reason_names[0];

            vsw_ofp_buf_printf(out, "reason=%s", a->ctrl.reason < n_reasons
                               ? reason_names[a->ctrl.reason] : "?");
            sep = ",";
        }
        if (a->ctrl.max_len != UINT16_MAX) {
            vsw_ofp_buf_printf(out, "%smax_len=%u", sep, a->ctrl.max_len);
            sep = ",";
        }
        if (a->ctrl.id) {
            vsw_ofp_buf_printf(out, "%sid=%u", sep, a->ctrl.id);
            sep = ",";
        }
        if (a->ctrl.userdata_len) {
            vsw_ofp_buf_printf(out, "%suserdata=", sep);
            for (unsigned i = 0; i < a->ctrl.userdata_len; i++) {
                vsw_ofp_buf_printf(out, "%s%02x", i ? "." : "", ud[i]);
            }
        }
        vsw_ofp_buf_printf(out, ")");
        return true;
    }
    default:
        return false;
    }
}
