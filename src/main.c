/* signet: the command-line entry point. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "Signet %s: self-hostable electronic-signature trust service\n\n"
            "Usage: signet COMMAND [OPTIONS]\n\n"
            "Commands:\n"
            "  serve            serve the Sign API, OAuth, PKI and web pages over HTTP\n"
            "  admin …          manage organizations and API clients (signet admin --help)\n"
            "  sign IN OUT …    sign a local PDF with this instance's PKI (PAdES)\n"
            "  verify FILE      check the signatures of a signed PDF\n"
            "  version          print the version\n\n"
            "Every command accepts --help.\n",
            SIGNET_VERSION);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("signet %s\n", SIGNET_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "serve"))
        return cli_serve(argc - 2, argv + 2);
    if (!strcmp(cmd, "admin"))
        return cli_admin(argc - 2, argv + 2);
    if (!strcmp(cmd, "sign"))
        return cli_sign(argc - 2, argv + 2);
    if (!strcmp(cmd, "verify"))
        return cli_verify(argc - 2, argv + 2);
    fprintf(stderr, "signet: unknown command '%s' (see signet --help)\n", cmd);
    return 2;
}
