/* The demo bootstrap of `make run`: a demo organization and API client, printed with a
 * copy-paste walkthrough. The client gets a fresh secret on every start because secrets are
 * stored only as hashes and cannot be shown again. */
#include "auth/credentials.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/embed.h"
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_ORG_NAME    "Demo Organization"
#define DEMO_DESCRIPTION "demo client (make run)"

struct demo_find {
    char org_id[STORE_ID_LEN];
    char client_id[STORE_ID_LEN];
    bool org_found;
};

static enum store_status find_tx(struct store_tx *tx, void *cls)
{
    struct demo_find *f = cls;
    struct store_org org;
    enum store_status st = store_org_find_by_name(tx, DEMO_ORG_NAME, &org);
    if (st == STORE_NOT_FOUND)
        return STORE_OK;
    if (st != STORE_OK)
        return st;
    f->org_found = true;
    snprintf(f->org_id, sizeof f->org_id, "%s", org.id);
    struct store_client *clients = NULL;
    size_t n = 0;
    st = store_client_list(tx, org.id, &clients, &n);
    for (size_t i = 0; st == STORE_OK && i < n; i++)
        if (!clients[i].revoked_at && !strcmp(clients[i].description, DEMO_DESCRIPTION))
            snprintf(f->client_id, sizeof f->client_id, "%s", clients[i].id);
    free(clients);
    return st;
}

/* Writes the sample PDF of the walkthrough into the data directory. */
static void write_sample(const char *data_dir, char *path, size_t path_len)
{
    const struct embedded_file *pdf = embed_find(web_files, "samples/sample.pdf");
    snprintf(path, path_len, "%s/sample.pdf", data_dir);
    FILE *f = pdf ? fopen(path, "wb") : NULL;
    if (!f) {
        log_warn("demo: cannot write %s", path);
        return;
    }
    fwrite(pdf->data, 1, pdf->size, f);
    fclose(f);
}

int cli_demo_bootstrap(struct store *s, const struct config *cfg, const char *public_url)
{
    struct demo_find f = {0};
    char secret[AUTH_SECRET_LEN];
    enum store_status st = store_run(s, STORE_READ, find_tx, &f);
    if (st == STORE_OK && !f.org_found) {
        struct store_org org;
        st = auth_org_create(s, DEMO_ORG_NAME, "ORGANIZATION", &org);
        snprintf(f.org_id, sizeof f.org_id, "%s", org.id);
    }
    if (st == STORE_OK && !f.client_id[0]) {
        struct store_client c;
        st = auth_client_create(s, f.org_id, AUTH_SIGN_API_SCOPES, DEMO_DESCRIPTION, &c, secret);
        snprintf(f.client_id, sizeof f.client_id, "%s", c.id);
    } else if (st == STORE_OK) {
        st = auth_client_rotate_secret(s, f.client_id, secret);
    }
    if (st != STORE_OK) {
        fprintf(stderr, "signet: cannot set up the demo credentials (%s)\n", store_status_name(st));
        return 1;
    }
    char sample[4200];
    write_sample(cfg->data_dir, sample, sizeof sample);
    printf(
        "\n=== Signet demo ===\n"
        "Base URL (Sign API):  %s/system\n"
        "Token URL:            %s/realms/%s/protocol/openid-connect/token\n"
        "Organization id:      %s\n"
        "Client id:            %s\n"
        "Client secret:        %s\n"
        "(a new secret is issued on every start with --demo)\n\n"
        "Walkthrough (bash):\n"
        "  BASE=%s\n"
        "  TOKEN=$(curl -s -d grant_type=client_credentials -d client_id=%s \\\n"
        "      -d client_secret=%s $BASE/realms/%s/protocol/openid-connect/token \\\n"
        "      | sed -n 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/p')\n"
        "  AUTH=\"Authorization: Bearer $TOKEN\"; JSON='Content-Type: application/json'\n"
        "  PID=$(curl -s -H \"$AUTH\" -H \"$JSON\" -d '{\"signatureLevel\":\"SIMPLE\","
        "\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"Demo\"},\n"
        "      \"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":\"ada\","
        "\"firstName\":\"Ada\",\"lastName\":\"Lovelace\",\n"
        "      \"email\":\"ada@example.com\"}]}}' $BASE/system/api/process \\\n"
        "      | sed -n 's/^{\"id\":\"\\([^\"]*\\)\",\"status\".*/\\1/p'); echo \"process $PID\"\n"
        "  curl -s -H \"$AUTH\" -H \"$JSON\" -d \"{\\\"name\\\":\\\"sample.pdf\\\","
        "\\\"contentType\\\":\\\"application/pdf\\\",\n"
        "      \\\"content\\\":\\\"$(base64 -w0 %s)\\\",\\\"signaturePositions\\\":"
        "[{\\\"signer\\\":\\\"ada\\\",\n"
        "      \\\"locator\\\":\\\"COORDINATES\\\",\\\"pageNumber\\\":0,\\\"positionX\\\":100,"
        "\\\"positionY\\\":100}]}\" \\\n"
        "      $BASE/system/api/process/$PID/attach; echo\n"
        "  curl -s -H \"$AUTH\" -H \"$JSON\" -d '{\"notification\":{\"locale\":\"en-GB\"}}' "
        "$BASE/system/api/process/$PID/release; echo\n"
        "  curl -s -H \"$AUTH\" -H \"$JSON\" -d '{}' $BASE/system/api/process/$PID/open/ada; "
        "echo\n\n"
        "Then, as the signer: open the participant URL from the release answer (Ada's invitation\n"
        "is also on the dev outbox page %s/ui/outbox), send yourself the code (it appears on the\n"
        "outbox page), enter it, look at the document and sign with a click; download the signed\n"
        "PDF and drop it on %s/ui/verify.\n"
        "  curl -s -H \"$AUTH\" $BASE/system/api/process/$PID/status; echo\n\n"
        "PAdES with this instance's PKI (in another shell, while the server runs):\n"
        "  signet sign %s signed.pdf --name 'Ada Lovelace' --level QUALIFIED --pades B-LTA "
        "--page 0 --x 100 --y 100 --data %s\n"
        "  signet verify signed.pdf --data %s\n"
        "  curl -s --data-binary @signed.pdf -H 'Content-Type: application/pdf' "
        "$BASE/system/api/verify; echo\n\n",
        public_url, public_url, cfg->realm, f.org_id, f.client_id, secret, public_url, f.client_id,
        secret, cfg->realm, sample, public_url, public_url, sample, cfg->data_dir, cfg->data_dir);
    fflush(stdout);
    return 0;
}
