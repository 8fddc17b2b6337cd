/* SPDX-License-Identifier: Apache-2.0 */
/* The controller action; see xlate_int.h. */

#include "xlate/xlate_int.h"

void
xlate_controller(struct xctx *x, const struct vsw_action *a, const struct vsw_actions *acts)
{
    (void) x;
    (void) a;
    (void) acts;
}
