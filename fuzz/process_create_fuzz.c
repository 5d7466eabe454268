/*
 * libFuzzer target for the create request of the Sign API (POST /system/api/process): the
 * bytes are parsed as the server parses a JSON body (json_loadb, JSON_REJECT_DUPLICATES), then
 * sign_process_parse_create validates them into a process model, and an accepted model is
 * turned into the contract's Process and ProcessStatusResponse views as the 201 answer would
 * be. Seeds: fuzz/seeds/process_create/.
 *
 * Checked besides memory safety and leaks: an accepted model has an initiator first, at most
 * 1 + SIGN_MAX_SIGNERS participants and STORE_PROCESS_MAX_PROPERTIES properties and the
 * defaults applied; a refusal writes a message that is non-empty valid UTF-8 (it goes into
 * the Error object's `message` as a JSON string; invalid UTF-8 there would turn the 400 into a
 * 500). Ownership: everything allocated per input is freed before returning.
 *
 * `make test` runs it as `fuzz_process_create` (libFuzzer, SIGNET_FUZZ_SECONDS_JSON) and
 * `fuzz_replay_process_create` (every build); see docs/sign-api.md, "Fuzzing".
 */
#include "sign/process.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The server's default --retention (P90D): archiveOn in the Process view depends on it. */
#define FUZZ_RETENTION_MS (90LL * 24 * 3600 * 1000)

static bool known(const char *s, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (!strcmp(s, *allowed))
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"NON_PERSON", "PERSON", "SIGNER", NULL};
    static const char *const levels[] = {"SIMPLE",    "ADVANCED",     "ADVANCED_EU",
                                         "QUALIFIED", "QUALIFIED_EU", NULL};
    static const char *const authorizations[] = {"CODE", "ACCOUNT", NULL};
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body)
        return 0;
    struct store_process p;
    memset(&p, 0, sizeof p);
    char err[512] = ""; /* the size sign/handlers.c uses */
    if (sign_process_parse_create(body, &p, err, sizeof err)) {
        if (p.n_participants < 1 || p.n_participants > 1 + SIGN_MAX_SIGNERS ||
            !known(p.participants[0].type, types) ||
            p.n_properties > STORE_PROCESS_MAX_PROPERTIES || !known(p.signature_level, levels) ||
            !known(p.authorization, authorizations))
            abort();
        for (size_t i = 1; i < p.n_participants; i++)
            if (strcmp(p.participants[i].type, "SIGNER") != 0 || !p.participants[i].first_name[0])
                abort();
        json_t *view = sign_process_to_json(&p, FUZZ_RETENTION_MS);
        json_t *status = sign_process_status_json(&p);
        if (!view || !status)
            abort(); /* the 201 answer could not be written */
        json_decref(view);
        json_decref(status);
    } else {
        json_t *message = json_string(err); /* NULL for invalid UTF-8 */
        if (!err[0] || !message)
            abort();
        json_decref(message);
    }
    store_process_clear(&p);
    json_decref(body);
    return 0;
}
