/*
 * The reasons beside the pages' error messages (core/reason.h, docs/web.md "Messages from the
 * server"), driven over HTTP against the real binary like the signer page would:
 *   - a wrong code answers "reason": "code.wrong" with "params": {"tries": N} counting down,
 *     the fifth "code.lockedNow", then "code.locked" {"attempts": 5} even for the right code;
 *     the English "message" (and "clientBody") stay as they were, without the header;
 *   - no code asked for: "code.expired"; a second code at once: "code.tooSoon" {"seconds"};
 *     no cookie: "session.ended"; no CSRF token: "session.csrf"; an unknown registration link:
 *     "link.invalid";
 *   - the Sign API under /system answers exactly the contract's Error fields, also where the
 *     domain gave a reason (release with a validUntil in the past);
 *   - the signer page's language: the release's language, else its notification.locale.
 */
#include "signer_page.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client cl;

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &cl);
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    cl.token = tenant_issue_token(&srv, &cl);
    return cl.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(cl.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* The newest one-time code sent to participant pid, from the outbox. */
static void outbox_code(const char *pid, char code[7])
{
    char out[4096];
    char q[256];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE participant_id = '%s' AND kind = 'CODE' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             pid, test_sql_insert_order());
    assert_true(test_sql(data_dir, q, out, sizeof out));
    const char *p = out;
    while (*p && strspn(p, "0123456789") != 6)
        p += strspn(p, "0123456789") ? strspn(p, "0123456789") : 1;
    assert_true(*p);
    memcpy(code, p, 6);
    code[6] = '\0';
}

/* Asserts that e (an Error object) has status, reason and message, and no header bytes. */
static void assert_reason(json_t *e, long status, const char *reason, const char *message)
{
    assert_int_equal(json_integer_value(json_object_get(e, "httpStatus")), status);
    const char *r = xs(e, "reason");
    if (!r)
        fail_msg("no reason in %s (expected %s)", xs(e, "message"), reason);
    assert_string_equal(r, reason);
    if (message)
        assert_string_equal(xs(e, "message"), message);
    assert_null(strchr(xs(e, "message"), '\x1e'));
    assert_string_equal(xs(e, "clientBody"), xs(e, "message"));
}

static json_int_t param(json_t *e, const char *name)
{
    json_t *v = json_object_get(json_object_get(e, "params"), name);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static void wrong_codes_give_tries_then_locked(void **state)
{
    (void)state;
    struct page_process p;
    page_create_released(&srv, &cl, "SIMPLE", "{}", &p);
    struct page_browser b = {"", ""};
    page_open(&srv, &b, p.b_path);
    json_decref(page_state(&srv, &b));
    json_t *e = NULL;

    /* Nothing asked for yet: no valid code. */
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/authorize", "{\"code\":\"123456\"}", &e),
                     410);
    assert_reason(e, 410, "code.expired", "There is no valid code: ask for a new one.");
    json_decref(e);

    assert_int_equal(page_post(&srv, &b, "/ui/api/session/code", "{}", NULL), 200);
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/code", "{}", &e), 429);
    assert_reason(e, 429, "code.tooSoon", NULL);
    assert_true(param(e, "seconds") >= 1 && param(e, "seconds") <= 31); /* rounded up */
    json_decref(e);

    assert_int_equal(page_post(&srv, &b, "/ui/api/session/authorize", "{\"code\":\"12ab\"}", &e),
                     400);
    assert_reason(e, 400, "code.format", "Enter the 6 digits of the code.");
    assert_int_equal(param(e, "digits"), 6);
    json_decref(e);

    char code[7], wrong[64], right[64], msg[64];
    outbox_code(p.b_id, code);
    snprintf(right, sizeof right, "{\"code\":\"%s\"}", code);
    snprintf(wrong, sizeof wrong, "{\"code\":\"%06d\"}",
             (int)((strtol(code, NULL, 10) + 1) % 1000000));
    for (int left = 4; left >= 1; left--) {
        assert_int_equal(page_post(&srv, &b, "/ui/api/session/authorize", wrong, &e), 400);
        snprintf(msg, sizeof msg, "The code is wrong; %d more tries.", left);
        assert_reason(e, 400, "code.wrong", msg);
        assert_int_equal(param(e, "tries"), left);
        assert_string_equal(xs(e, "name"), "Validation");
        json_decref(e);
    }
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/authorize", wrong, &e), 409);
    assert_reason(e, 409, "code.lockedNow", "The code is wrong and now locked: ask for a new one.");
    json_decref(e);
    assert_int_equal(page_post(&srv, &b, "/ui/api/session/authorize", right, &e), 409);
    assert_reason(e, 409, "code.locked", NULL);
    assert_int_equal(param(e, "attempts"), 5);
    json_decref(e);
}

static void session_csrf_and_link_reasons(void **state)
{
    (void)state;
    /* No cookie: the session has ended (401). */
    struct response r;
    assert_true(http(&srv, "GET", "/ui/api/session", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 401);
    assert_reason(r.json, 401, "session.ended", NULL);
    response_free(&r);

    /* A session without the CSRF token (403). */
    struct page_process p;
    page_create_released(&srv, &cl, "SIMPLE", "{}", &p);
    struct page_browser b = {"", ""};
    page_open(&srv, &b, p.a_path);
    json_decref(page_state(&srv, &b));
    b.csrf[0] = '\0';
    page_call(&srv, &b, "POST", "/ui/api/session/code", "{}", &r);
    assert_int_equal(r.status, 403);
    assert_reason(r.json, 403, "session.csrf", NULL);
    response_free(&r);

    /* An unknown registration link (the SRS page's API). */
    assert_true(http(&srv, "GET", "/srs/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/state", NULL,
                     NULL, 0, &r));
    assert_int_equal(r.status, 404);
    assert_reason(r.json, 404, "link.invalid", "This link is not valid.");
    response_free(&r);
}

static void sign_api_errors_keep_the_contract_fields(void **state)
{
    (void)state;
    static const char *const contract[] = {"id",   "timestamp",  "name",          "message",
                                           "path", "httpStatus", "clientSubject", "clientBody",
                                           NULL};
    /* release.c gives this refusal a reason for the setup page; the Sign API must not show it. */
    char body[256], path[256];
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"SIMPLE\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":"
             "\"ERP\"}}");
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, &cl, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", xs(r.json, "id"));
    response_free(&r);
    tenant_call(&srv, "POST", path, &cl, "{\"validUntil\":\"2001-01-01T00:00:00Z\"}", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(xs(r.json, "message"), "Field 'validUntil' must be in the future.");
    assert_string_equal(xs(r.json, "clientBody"), "Field 'validUntil' must be in the future.");
    const char *key;
    json_t *v;
    json_object_foreach(r.json, key, v)
    {
        bool known = false;
        for (const char *const *c = contract; *c; c++)
            known = known || !strcmp(*c, key);
        if (!known)
            fail_msg("the Sign API's Error object has '%s', which the contract does not", key);
    }
    response_free(&r);
}

/* The language in the page's state for a process released with release_body. */
static void assert_page_language(const char *release_body, const char *expected)
{
    struct page_process p;
    page_create_released(&srv, &cl, "SIMPLE", release_body, &p);
    struct page_browser b = {"", ""};
    page_open(&srv, &b, p.a_path);
    json_t *s = page_state(&srv, &b);
    assert_string_equal(xs(s, "language"), expected);
    json_decref(s);
}

static void page_language_from_the_release(void **state)
{
    (void)state;
    assert_page_language("{}", "");
    assert_page_language("{\"notification\":{\"locale\":\"de-CH\"}}", "de-CH");
    assert_page_language("{\"language\":\"it-CH\"}", "it-CH");
    assert_page_language("{\"language\":\"fr-CH\",\"notification\":{\"locale\":\"de-CH\"}}",
                         "fr-CH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wrong_codes_give_tries_then_locked),
        cmocka_unit_test(session_csrf_and_link_reasons),
        cmocka_unit_test(sign_api_errors_keep_the_contract_fields),
        cmocka_unit_test(page_language_from_the_release),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
