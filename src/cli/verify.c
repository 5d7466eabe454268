#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_verify(int argc, char **argv)
{
    if (argc >= 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
        printf("Usage: signet verify FILE\n\nChecks every signature of a signed PDF and prints "
               "one line per signature.\n");
        return 0;
    }
    if (argc != 1) {
        fprintf(stderr, "signet verify: expected exactly one FILE (see --help)\n");
        return 2;
    }
    /* The PAdES verifier arrives with the signing engine (src/pdf, src/pki). Until then the
     * command refuses honestly instead of claiming a result. */
    fprintf(stderr, "signet verify: signature verification is not available in this build "
                    "yet; use pdfsig %s\n", argv[0]);
    return 1;
}
