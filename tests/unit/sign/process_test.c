/* Tests for src/sign/process.c: lifecycle transitions, syntax checks, create-request
 * validation, the Process JSON view and the audit hash chain (pure parts, no store). */
#include "sign/process.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void lifecycle_allows_only_forward_transitions(void **state)
{
    (void)state;
    assert_true(sign_state_can_transition(SIGN_STATE_CREATED, SIGN_STATE_PENDING));
    assert_true(sign_state_can_transition(SIGN_STATE_CREATED, SIGN_STATE_EXPIRED));
    assert_true(sign_state_can_transition(SIGN_STATE_PENDING, SIGN_STATE_COMPLETED));
    assert_true(sign_state_can_transition(SIGN_STATE_PENDING, SIGN_STATE_EXPIRED));
    assert_false(sign_state_can_transition(SIGN_STATE_CREATED, SIGN_STATE_COMPLETED));
    assert_false(sign_state_can_transition(SIGN_STATE_CREATED, SIGN_STATE_CREATED));
    assert_false(sign_state_can_transition(SIGN_STATE_PENDING, SIGN_STATE_CREATED));
    assert_false(sign_state_can_transition(SIGN_STATE_COMPLETED, SIGN_STATE_EXPIRED));
    assert_false(sign_state_can_transition(SIGN_STATE_EXPIRED, SIGN_STATE_PENDING));
}

static void state_names_round_trip(void **state)
{
    (void)state;
    for (int s = SIGN_STATE_CREATED; s <= SIGN_STATE_EXPIRED; s++) {
        enum sign_state back;
        assert_true(sign_state_parse(sign_state_name((enum sign_state)s), &back));
        assert_int_equal(back, s);
    }
    enum sign_state x;
    assert_false(sign_state_parse("RELEASED", &x));
    assert_false(sign_state_parse("created", &x));
    assert_false(sign_state_parse(NULL, &x));
}

static void email_syntax(void **state)
{
    (void)state;
    const char *good[] = {"a@example.ch", "first.last+tag@sub.example.com", "x_y@a-b.io", NULL};
    const char *bad[] = {"",         "plain",   "a@b",     "@example.ch",   "a@",      "a@@b.ch",
                         "a b@c.ch", ".a@b.ch", "a.@b.ch", "a..b@c.ch",     "a@-b.ch", "a@b-.ch",
                         "a@b..ch",  "a@b.c",   "a@b.c1",  "a@exa mple.ch", NULL};
    for (const char **s = good; *s; s++) {
        if (!sign_email_valid(*s))
            fprintf(stderr, "rejected %s\n", *s);
        assert_true(sign_email_valid(*s));
    }
    for (const char **s = bad; *s; s++) {
        if (sign_email_valid(*s))
            fprintf(stderr, "accepted %s\n", *s);
        assert_false(sign_email_valid(*s));
    }
}

static void mobile_and_external_id_syntax(void **state)
{
    (void)state;
    assert_true(sign_mobile_valid("+41791234567"));
    assert_true(sign_mobile_valid("+491701234567"));
    assert_false(sign_mobile_valid("0791234567"));
    assert_false(sign_mobile_valid("+41 79 123 45 67"));
    assert_false(sign_mobile_valid("+41-79-1234567"));
    assert_false(sign_mobile_valid("+0791234567"));
    assert_false(sign_mobile_valid("+1234"));
    assert_false(sign_mobile_valid("+1234567890123456"));
    assert_true(sign_external_id_valid("emp-1.a_b~c"));
    assert_false(sign_external_id_valid(""));
    assert_false(sign_external_id_valid("a b"));
    assert_false(sign_external_id_valid("ä"));
    assert_false(sign_external_id_valid("a/b"));
    char long51[52];
    memset(long51, 'a', 51);
    long51[51] = '\0';
    assert_false(sign_external_id_valid(long51));
    long51[50] = '\0';
    assert_true(sign_external_id_valid(long51));
}

static void lengths_count_characters_not_bytes(void **state)
{
    (void)state;
    assert_int_equal(sign_utf8_length(""), 0);
    assert_int_equal(sign_utf8_length("abc"), 3);
    assert_int_equal(sign_utf8_length("Zürcher"), 7);
    assert_int_equal(sign_utf8_length("日本"), 2);
    assert_int_equal(sign_utf8_length("😀"), 1);
}

static void html_tags_are_stripped(void **state)
{
    (void)state;
    char a[] = "Please <b>sign</b> <a href=\"x\">here</a><!-- c --> now";
    sign_strip_html(a);
    assert_string_equal(a, "Please sign here now");
    char b[] = "1 < 2 and 3 > 2, <unclosed";
    sign_strip_html(b);
    assert_string_equal(b, "1 < 2 and 3 > 2, <unclosed");
}

static void idempotency_keys(void **state)
{
    (void)state;
    assert_true(sign_idempotency_key_valid("order-4711"));
    assert_true(sign_idempotency_key_valid("2f1c0d9e-aaaa-4bbb-8ccc-111122223333"));
    assert_false(sign_idempotency_key_valid(""));
    assert_false(sign_idempotency_key_valid("has space"));
    assert_false(sign_idempotency_key_valid("tab\there"));
    char k[300];
    memset(k, 'k', sizeof k - 1);
    k[sizeof k - 1] = '\0';
    assert_false(sign_idempotency_key_valid(k));
    k[SIGN_IDEMPOTENCY_KEY_MAX] = '\0';
    assert_true(sign_idempotency_key_valid(k));
}

/* Parses text; returns the result, the process in *p (caller clears) and the message. */
static bool parse(const char *text, struct store_process *p, char *err, size_t err_len)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j)
        fprintf(stderr, "bad test JSON: %s\n", jerr.text);
    assert_non_null(j);
    memset(p, 0, sizeof *p);
    err[0] = '\0';
    bool ok = sign_process_parse_create(j, p, err, err_len);
    json_decref(j);
    return ok;
}

static void parse_applies_defaults_and_ignores_read_only_fields(void **state)
{
    (void)state;
    struct store_process p;
    char err[512];
    assert_true(
        parse("{\"id\":\"x\",\"status\":\"EXPIRED\",\"validUntil\":\"2000-01-01T00:00:00Z\","
              "\"fileReferences\":[],\"initiator\":{\"type\":\"PERSON\","
              "\"email\":\"p@example.ch\",\"identification\":\"y\"}}",
              &p, err, sizeof err));
    assert_string_equal(p.signature_level, "QUALIFIED");
    assert_string_equal(p.authorization, "CODE");
    assert_string_equal(p.id, "");
    assert_string_equal(p.status, "");
    assert_int_equal(p.valid_until, 0);
    assert_int_equal(p.n_participants, 1);
    assert_string_equal(p.participants[0].type, "PERSON");
    assert_string_equal(p.participants[0].id, "");
    assert_int_equal(p.participants[0].resident_permit, -1);
    assert_null(p.payload);
    store_process_clear(&p);
}

static void parse_names_the_first_bad_field(void **state)
{
    (void)state;
    struct {
        const char *body;
        const char *field;
    } cases[] = {
        {"[]", "JSON object"},
        {"{}", "'initiator'"},
        {"{\"initiator\":{\"type\":\"SIGNER\",\"firstName\":\"\",\"lastName\":\"B\"}}",
         "'initiator.firstName'"},
        {"{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"n\"},\"signatureLevel\":\"X\"}",
         "'signatureLevel'"},
        {"{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"n\",\"email\":\"a@b.ch\"}}",
         "'initiator.email'"}, /* NON_PERSON has no email */
        {"{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"n\",\"externalIdentifier\":\"a\"},"
         "\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"firstName\":\"A\",\"lastName\":\"B\","
         "\"externalIdentifier\":\"a\"}]}}",
         "'invitees.signers[0].externalIdentifier'"},
        {"{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"n\"},\"invitees\":{\"signers\":{}}}",
         "'invitees.signers'"},
        {"{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"n\"},\"invitees\":{\"signers\":[{"
         "\"type\":\"SIGNER\",\"firstName\":\"A\",\"lastName\":\"B\",\"verification\":{"
         "\"residentPermit\":\"yes\"}}]}}",
         "'invitees.signers[0].verification.residentPermit'"},
        {"{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"n\"},\"properties\":{}}",
         "'properties'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct store_process p;
        char err[512];
        bool ok = parse(cases[i].body, &p, err, sizeof err);
        if (ok || !strstr(err, cases[i].field))
            fprintf(stderr, "case %zu: ok=%d err='%s', want %s\n", i, ok, err, cases[i].field);
        assert_false(ok);
        assert_non_null(strstr(err, cases[i].field));
        store_process_clear(&p);
    }
}

static void process_json_never_shows_authorization(void **state)
{
    (void)state;
    struct store_process p;
    char err[512];
    assert_true(parse("{\"authorization\":\"ACCOUNT\",\"initiator\":{\"type\":\"SIGNER\","
                      "\"firstName\":\"A\",\"lastName\":\"B\",\"verification\":{}}}",
                      &p, err, sizeof err));
    assert_string_equal(p.authorization, "ACCOUNT");
    assert_int_equal(p.participants[0].resident_permit, 1); /* default true */
    json_t *j = sign_process_to_json(&p, 0);
    assert_non_null(j);
    assert_null(json_object_get(j, "authorization"));
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(j, "initiator"), "verification"), "residentPermit")));
    assert_true(json_is_array(json_object_get(j, "fileReferences")));
    json_decref(j);
    store_process_clear(&p);
}

static void make_record(struct store_audit_record *r, int64_t seq, const char *prev)
{
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "00000000-0000-4000-8000-00000000000%d", (int)seq);
    snprintf(r->organization_id, sizeof r->organization_id, "org");
    snprintf(r->process_id, sizeof r->process_id, "proc");
    r->seq = seq;
    r->created_at = 1700000000000 + seq;
    snprintf(r->action, sizeof r->action, "transaction");
    snprintf(r->status, sizeof r->status, "SUCCESS");
    snprintf(r->extras, sizeof r->extras, "{}");
    snprintf(r->prev_hash, sizeof r->prev_hash, "%s", prev);
    sign_audit_hash(r, r->hash);
}

static void audit_chain_detects_tampering(void **state)
{
    (void)state;
    struct store_audit_record chain[3]; /* newest first */
    make_record(&chain[2], 1, "");
    make_record(&chain[1], 2, chain[2].hash);
    make_record(&chain[0], 3, chain[1].hash);
    assert_int_equal(strlen(chain[0].hash), 64);
    assert_true(sign_audit_chain_valid(chain, 3));
    assert_true(sign_audit_chain_valid(chain + 2, 1));
    /* an edited field */
    struct store_audit_record copy[3];
    memcpy(copy, chain, sizeof chain);
    copy[1].status[0] = 'F';
    assert_false(sign_audit_chain_valid(copy, 3));
    /* a removed record */
    memcpy(copy, chain, sizeof chain);
    copy[1] = copy[2];
    assert_false(sign_audit_chain_valid(copy, 2));
    /* a re-hashed edit still breaks the link to the next record */
    memcpy(copy, chain, sizeof chain);
    copy[2].action[0] = 'X';
    sign_audit_hash(&copy[2], copy[2].hash);
    assert_false(sign_audit_chain_valid(copy, 3));
    /* the hash covers the field boundaries: moving a character between fields changes it */
    struct store_audit_record a = chain[2], b = chain[2];
    snprintf(a.action, sizeof a.action, "ab");
    snprintf(a.status, sizeof a.status, "c");
    snprintf(b.action, sizeof b.action, "a");
    snprintf(b.status, sizeof b.status, "bc");
    sign_audit_hash(&a, a.hash);
    sign_audit_hash(&b, b.hash);
    assert_string_not_equal(a.hash, b.hash);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lifecycle_allows_only_forward_transitions),
        cmocka_unit_test(state_names_round_trip),
        cmocka_unit_test(email_syntax),
        cmocka_unit_test(mobile_and_external_id_syntax),
        cmocka_unit_test(lengths_count_characters_not_bytes),
        cmocka_unit_test(html_tags_are_stripped),
        cmocka_unit_test(idempotency_keys),
        cmocka_unit_test(parse_applies_defaults_and_ignores_read_only_fields),
        cmocka_unit_test(parse_names_the_first_bad_field),
        cmocka_unit_test(process_json_never_shows_authorization),
        cmocka_unit_test(audit_chain_detects_tampering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
