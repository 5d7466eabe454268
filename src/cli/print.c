/*
 * JSON output of the commands (see cli/cli.h).
 */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

void cli_print_json(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_INDENT(2)) : NULL;
    if (s)
        puts(s);
    free(s);
    json_decref(v);
}
