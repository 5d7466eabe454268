/*
 * libFuzzer target for the attach request of the Sign API (POST
 * /system/api/process/{id}/attach) without the store: the bytes are parsed as the server
 * parses a JSON body (json_loadb, JSON_REJECT_DUPLICATES), then sign_attach_check_request
 * checks the FileAttachment and its signature positions and decodes the base64 content, as
 * sign_attach does before it reads the process. Seeds: fuzz/seeds/attach/.
 *
 * Checked besides memory safety and leaks: an accepted request has non-empty decoded bytes of
 * at most SIGN_MAX_FILE_BYTES, exactly the base64 decoding of `content` (re-encoding gives
 * the same text back: the decoding is strict), and at most SIGN_MAX_POSITIONS positions; a
 * refusal writes a non-empty message that is valid UTF-8 (it goes into the Error object as a
 * JSON string). Ownership: everything allocated per input is freed before returning.
 *
 * `make test` runs it as `fuzz_attach` (libFuzzer, SIGNET_FUZZ_SECONDS_JSON) and
 * `fuzz_replay_attach` (every build); see docs/sign-api.md, "Fuzzing".
 */
#include "core/b64.h"
#include "sign/attach.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!body)
        return 0;
    unsigned char *bytes = NULL;
    size_t len = 0, n_positions = 0;
    char err[1024] = ""; /* the size sign/attach_handlers.c uses */
    if (sign_attach_check_request(body, &bytes, &len, &n_positions, err, sizeof err)) {
        if (!bytes || len == 0 || len > SIGN_MAX_FILE_BYTES || n_positions > SIGN_MAX_POSITIONS)
            abort();
        json_t *content = json_object_get(body, "content");
        char *again = b64_encode(bytes, len, B64_STD);
        if (!again || !json_is_string(content) || strlen(again) != json_string_length(content) ||
            memcmp(again, json_string_value(content), strlen(again)) != 0)
            abort(); /* the decoding is not the strict inverse of the encoding */
        free(again);
    } else {
        json_t *message = json_string(err); /* NULL for invalid UTF-8 */
        if (bytes || !err[0] || !message)
            abort();
        json_decref(message);
    }
    free(bytes);
    json_decref(body);
    return 0;
}
