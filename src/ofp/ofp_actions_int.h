/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_OFP_ACTIONS_INT_H
#define VSW_OFP_ACTIONS_INT_H 1

/*
 * What the parts of the action parser share: ofp_actions.c (outputs and
 * header rewrites, the list assembly), ofp_actions_pipe.c (the pipeline:
 * resubmit, goto_table, write_metadata, group, controller) and
 * ofp_actions_field.c (load, move, set_field on registers and metadata,
 * masked set_field).  Private to src/ofp/.
 *
 * Thread safety: as vsw/ofp_actions.h (the control thread).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsw/actions.h"
#include "vsw/fields.h"
#include "vsw/ofp_lex.h"

/* What the packet looks like at this point of the action list, as far as
 * prerequisites go (OVS's ofpacts_check() tracks the same). */
struct ofp_pkt_state {
    uint16_t dl_type;   /* 0 if the match does not fix it. */
    int nw_proto;       /* -1 if the match does not fix it. */
    bool later_frag;    /* Matches later fragments only. */
    bool vlan[2];       /* Outer / inner 802.1Q tag present. */
    bool unchecked;     /* No context (a group bucket): prerequisites are
                         * the translation's business, as in OVS. */
};

/* The action list being built, and the bytes that will follow it. */
struct ofp_act_builder {
    struct vsw_action *a;
    uint32_t n, cap;
    uint8_t *blob;            /* Controller userdata, in order. */
    uint32_t blob_len, blob_cap;
};

/* Appends an action of 'type' (zeroed but for 'type' and 'flags'), or
 * returns NULL when out of memory. */
struct vsw_action *ofp_act_add(struct ofp_act_builder *b, enum vsw_action_type type,
                               uint8_t flags);

/* Appends 'n' bytes to the blob; returns their offset or -1 (no memory). */
long ofp_act_add_blob(struct ofp_act_builder *b, const uint8_t *p, size_t n);

/* Checks the set_field-style prerequisite 'need' for the action named
 * 'what' against 'st'. */
int ofp_act_check_need(const struct ofp_pkt_state *st, enum vsw_field_prereq need,
                       const char *what, char *err, size_t err_size);

/* The pipeline actions (ofp_actions_pipe.c).  Returns ENOENT, without
 * touching 'err', if 'key' is not one of them. */
int ofp_act_parse_pipe(struct ofp_act_builder *b, struct ofp_pkt_state *st,
                       const char *key, char *val, char *err, size_t err_size);

/* load:V->DST[range] and move:SRC[range]->DST[range] ('arg' is what
 * follows "load:" or "move:") (ofp_actions_field.c, as the two below). */
int ofp_act_parse_load(struct ofp_act_builder *b, struct ofp_pkt_state *st,
                       const char *arg, char *err, size_t err_size);
int ofp_act_parse_move(struct ofp_act_builder *b, struct ofp_pkt_state *st,
                       const char *arg, char *err, size_t err_size);

/* set_field:V[/M]->F for a pipeline field 'f' ('arg' is the whole
 * argument, 'vlen' the length of V[/M]). */
int ofp_act_parse_set_pipe(struct ofp_act_builder *b, const struct vsw_field *f,
                           const char *arg, size_t vlen, char *err, size_t err_size);

/* set_field:V/M->F for the header field 'f' ('arg' is the whole argument,
 * its first 'vlen' bytes V/M; 'what' names the action in errors): the loads
 * OVS sends for it.  Sets '*full' instead, adding nothing, if M covers the
 * whole field: the caller then parses V alone as a plain set_field. */
int ofp_act_parse_set_masked(struct ofp_act_builder *b, struct ofp_pkt_state *st,
                             const struct vsw_field *f, const char *what,
                             const char *arg, size_t vlen, bool *full,
                             char *err, size_t err_size);

/* Output to the controller with 'max_len' (output:controller, controller:N). */
int ofp_act_add_controller(struct ofp_act_builder *b, uint16_t max_len,
                           char *err, size_t err_size);

/* Checks the order OpenFlow 1.1+ instructions impose on the whole list
 * (apply actions, then write_metadata, then goto_table; each at most once). */
int ofp_act_check_order(const struct ofp_act_builder *b, char *err, size_t err_size);

/* Prints the LOAD or MOVE 'a'; false if 'a' is neither. */
bool ofp_act_format_field(struct vsw_ofp_buf *out, const struct vsw_action *a);

/* Prints the pipeline action 'a' of 'acts'; false if 'a' is not one. */
bool ofp_act_format_pipe(struct vsw_ofp_buf *out, const struct vsw_actions *acts,
                         const struct vsw_action *a);

#endif /* VSW_OFP_ACTIONS_INT_H */
