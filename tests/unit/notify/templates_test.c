/* Tests for src/notify/templates.c (every kind × locale × channel), the backoff of
 * src/notify/delivery.c, and the message and request bodies of smtp.c and sms.c. */
#include "core/buf.h"
#include "notify/notify.h"
#include "notify/transport.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const locales[] = {"en-GB", "de-CH", "fr-CH", "it-CH"};
static const enum notify_kind kinds[] = {
    NOTIFY_INVITE,   NOTIFY_CODE,    NOTIFY_REMINDER,       NOTIFY_COMPLETED,
    NOTIFY_DECLINED, NOTIFY_EXPIRED, NOTIFY_ACCOUNT_VERIFY, NOTIFY_ACCOUNT_EXISTS};
#define LINK "https://sign.example.ch/ui/sign/AbC-123_xyz"

static struct notify_message full_message(enum notify_kind kind, enum notify_channel ch,
                                          const char *locale)
{
    return (struct notify_message){.kind = kind,
                                   .channel = ch,
                                   .organization_id = "org",
                                   .to = ch == NOTIFY_SMS ? "+41791234567" : "anna@example.ch",
                                   .locale = locale,
                                   .recipient_name = "Anna Muster",
                                   .link = LINK,
                                   .code = "482913",
                                   .valid_until_ms = 1767225600000, /* 2026-01-01T00:00:00Z */
                                   .declined_by = "Beat Beispiel",
                                   .reason = "The amount is wrong.",
                                   .message = "Please sign by Friday."};
}

static void every_kind_renders_in_every_locale_with_its_link_or_code(void **state)
{
    (void)state;
    char subject[NOTIFY_SUBJECT_MAX], body[NOTIFY_BODY_MAX];
    for (size_t l = 0; l < 4; l++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            for (int ch = 0; ch < 2; ch++) {
                struct notify_message m =
                    full_message(kinds[k], (enum notify_channel)ch, locales[l]);
                if (!notify_render(&m, subject, body))
                    fail_msg("%s %s channel %d did not render", notify_kind_name(kinds[k]),
                             locales[l], ch);
                assert_true(strlen(body) > 20);
                assert_null(strchr(body, '{')); /* no placeholder left */
                if (ch == NOTIFY_EMAIL) {
                    assert_true(strlen(subject) > 5);
                    assert_non_null(strstr(body, "Anna Muster"));
                } else {
                    assert_string_equal(subject, "");
                    assert_true(strlen(body) <= 200);
                }
                if (kinds[k] == NOTIFY_CODE)
                    assert_non_null(strstr(body, "482913"));
                if (kinds[k] == NOTIFY_INVITE || kinds[k] == NOTIFY_REMINDER ||
                    (ch == NOTIFY_EMAIL && kinds[k] == NOTIFY_COMPLETED))
                    assert_non_null(strstr(body, LINK));
                if (kinds[k] == NOTIFY_DECLINED) {
                    assert_non_null(strstr(body, "Beat Beispiel"));
                    if (ch == NOTIFY_EMAIL)
                        assert_non_null(strstr(body, "The amount is wrong."));
                }
                if (ch == NOTIFY_EMAIL)
                    assert_non_null(strstr(body, "Please sign by Friday."));
                /* The code never leaks into other kinds. */
                if (kinds[k] != NOTIFY_CODE)
                    assert_null(strstr(body, "482913"));
            }
        }
}

static void the_locales_differ_and_dates_are_in_the_locales_format(void **state)
{
    (void)state;
    char s_en[NOTIFY_SUBJECT_MAX], b_en[NOTIFY_BODY_MAX], s_de[NOTIFY_SUBJECT_MAX],
        b_de[NOTIFY_BODY_MAX];
    struct notify_message m = full_message(NOTIFY_INVITE, NOTIFY_EMAIL, "en-GB");
    assert_true(notify_render(&m, s_en, b_en));
    m.locale = "de-CH";
    assert_true(notify_render(&m, s_de, b_de));
    assert_string_equal(s_en, "Documents are waiting for your signature");
    assert_string_equal(s_de, "Dokumente warten auf Ihre Unterschrift");
    assert_non_null(strstr(b_en, "Hello Anna Muster,"));
    assert_non_null(strstr(b_en, "01/01/2026 00:00 UTC"));
    assert_non_null(strstr(b_de, "Guten Tag Anna Muster"));
    assert_non_null(strstr(b_de, "01.01.2026 00:00 UTC"));
    /* Without a name, a greeting without one. */
    m.recipient_name = NULL;
    m.locale = "fr-CH";
    assert_true(notify_render(&m, s_de, b_de));
    assert_true(strncmp(b_de, "Bonjour,\n\n", 10) == 0);
}

static void locale_names_are_normalised_and_unknown_ones_fall_back_to_english(void **state)
{
    (void)state;
    assert_string_equal(notify_locale("de-CH"), "de-CH");
    assert_string_equal(notify_locale("de_ch"), "de-CH");
    assert_string_equal(notify_locale("fr"), "fr-CH");
    assert_string_equal(notify_locale("IT-ch"), "it-CH");
    assert_string_equal(notify_locale("es-ES"), "en-GB");
    assert_string_equal(notify_locale(""), "en-GB");
    assert_string_equal(notify_locale(NULL), "en-GB");
}

static void a_kind_without_what_it_needs_does_not_render(void **state)
{
    (void)state;
    char subject[NOTIFY_SUBJECT_MAX], body[NOTIFY_BODY_MAX];
    struct notify_message m = full_message(NOTIFY_INVITE, NOTIFY_EMAIL, "en-GB");
    m.link = NULL;
    assert_false(notify_render(&m, subject, body));
    m = full_message(NOTIFY_CODE, NOTIFY_SMS, "en-GB");
    m.code = "";
    assert_false(notify_render(&m, subject, body));
    m = full_message(NOTIFY_DECLINED, NOTIFY_EMAIL, "en-GB");
    m.declined_by = NULL;
    assert_false(notify_render(&m, subject, body));
    /* A personal message too long for the body. */
    char *big = malloc(NOTIFY_BODY_MAX);
    memset(big, 'x', NOTIFY_BODY_MAX - 1);
    big[NOTIFY_BODY_MAX - 1] = '\0';
    m = full_message(NOTIFY_INVITE, NOTIFY_EMAIL, "en-GB");
    m.message = big;
    assert_false(notify_render(&m, subject, body));
    free(big);
}

static void backoff_doubles_from_a_minute_and_stops_at_an_hour(void **state)
{
    (void)state;
    assert_int_equal(notify_backoff_ms(0), 30000);
    assert_int_equal(notify_backoff_ms(1), 60000);
    assert_int_equal(notify_backoff_ms(2), 120000);
    assert_int_equal(notify_backoff_ms(6), 1920000);
    assert_int_equal(notify_backoff_ms(7), 3600000);
    assert_int_equal(notify_backoff_ms(1000), 3600000);
}

static void the_smtp_message_has_its_headers_and_a_quoted_printable_body(void **state)
{
    (void)state;
    struct buf msg;
    const char *body = "Grüezi\n\nOpen: https://x.example/ui/sign/a=b\n.dot line\n";
    assert_true(notify_smtp_message("Signet Zürich <noreply@signet.example>", "anna@example.ch",
                                    "Ihr Einmalcode – gültig", body, 1767225600000,
                                    "0b7d3c2e-1111-4222-8333-444455556666", &msg));
    const char *m = msg.data;
    assert_non_null(strstr(m, "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n"));
    assert_non_null(
        strstr(m, "Message-ID: <0b7d3c2e-1111-4222-8333-444455556666@signet.example>\r\n"));
    assert_non_null(strstr(m, "From: =?UTF-8?B?"));
    assert_non_null(strstr(m, "?= <noreply@signet.example>\r\n"));
    assert_non_null(strstr(m, "To: <anna@example.ch>\r\n"));
    /* "Ihr Einmalcode – gültig" in base64. */
    assert_non_null(strstr(m, "Subject: =?UTF-8?B?SWhyIEVpbm1hbGNvZGUg4oCTIGfDvGx0aWc=?=\r\n"));
    assert_non_null(strstr(m, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_non_null(strstr(m, "Content-Transfer-Encoding: quoted-printable\r\n"));
    assert_non_null(strstr(m, "Auto-Submitted: auto-generated\r\n\r\nGr=C3=BCezi"));
    assert_non_null(strstr(m, "Gr=C3=BCezi\r\n\r\nOpen: https://x.example/ui/sign/a=3Db\r\n"));
    assert_non_null(strstr(m, "\r\n=2Edot line\r\n"));
    for (const char *line = m; *line;) { /* no line longer than 78 characters */
        const char *eol = strstr(line, "\r\n");
        assert_non_null(eol);
        assert_true(eol - line <= 78);
        line = eol + 2;
    }
    buf_free(&msg);
    /* Header injection is refused. */
    assert_false(notify_smtp_message("a@b.c", "x@y.z\r\nBcc: e@f.g", "s", "b", 0, "id", &msg));
    assert_false(notify_smtp_message("a@b.c", "x@y.z", "s\r\nBcc: e@f.g", "b", 0, "id", &msg));
}

static void long_lines_get_soft_breaks_and_long_subjects_several_words(void **state)
{
    (void)state;
    char body[400], subject[200];
    memset(body, 'a', 300);
    body[300] = '\0';
    memset(subject, 0, sizeof subject);
    for (size_t i = 0; i + 2 < 150; i += 2)
        memcpy(subject + i, "\xc3\xa4", 2); /* ä × 74 */
    struct buf msg;
    assert_true(notify_smtp_message("a@b.c", "x@y.z", subject, body, 0, "id", &msg));
    assert_non_null(strstr(msg.data, "=\r\naaaa"));
    assert_non_null(strstr(msg.data, "?=\r\n =?UTF-8?B?"));
    buf_free(&msg);
}

static void the_sms_body_template_is_filled_json_escaped(void **state)
{
    (void)state;
    struct buf b;
    assert_true(notify_sms_body("{\"to\":\"{to}\",\"text\":\"{text}\",\"x\":1}", "+41791234567",
                                "Code \"12\"\\ ok\nnext ä", &b));
    assert_string_equal(b.data,
                        "{\"to\":\"+41791234567\",\"text\":\"Code \\\"12\\\"\\\\ ok\\nnext ä\","
                        "\"x\":1}");
    buf_free(&b);
}

static void addresses_are_taken_from_display_forms(void **state)
{
    (void)state;
    char a[100];
    assert_true(notify_address_of("Signet <noreply@x.ch>", a, sizeof a));
    assert_string_equal(a, "noreply@x.ch");
    assert_true(notify_address_of(" noreply@x.ch ", a, sizeof a));
    assert_string_equal(a, "noreply@x.ch");
    assert_false(notify_address_of("Signet", a, sizeof a));
    assert_false(notify_address_of("Signet <>", a, sizeof a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_kind_renders_in_every_locale_with_its_link_or_code),
        cmocka_unit_test(the_locales_differ_and_dates_are_in_the_locales_format),
        cmocka_unit_test(locale_names_are_normalised_and_unknown_ones_fall_back_to_english),
        cmocka_unit_test(a_kind_without_what_it_needs_does_not_render),
        cmocka_unit_test(backoff_doubles_from_a_minute_and_stops_at_an_hour),
        cmocka_unit_test(the_smtp_message_has_its_headers_and_a_quoted_printable_body),
        cmocka_unit_test(long_lines_get_soft_breaks_and_long_subjects_several_words),
        cmocka_unit_test(the_sms_body_template_is_filled_json_escaped),
        cmocka_unit_test(addresses_are_taken_from_display_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
