/* SPDX-License-Identifier: Apache-2.0 */
/* The group action; see xlate_int.h. */

#include "xlate/xlate_int.h"

void
xlate_group(struct xctx *x, uint32_t group_id)
{
    (void) x;
    (void) group_id;
}
