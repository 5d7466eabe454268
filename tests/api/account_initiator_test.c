/*
 * The initiator's steps of the signer pages' authorization by a person account (DESIGN.md
 * "Process authorization": ownership → team membership → verified e-mail → …; docs/accounts.md
 * "Initiator", docs/signer-pages.md), driven over HTTP against the real binary as a browser
 * would: accounts created and verified through the e-mail link in the outbox, teams and members
 * made by an organization admin in the cockpit (/ui/admin/api), processes through the Sign API:
 *   - a PERSON initiator gets a participant link from release; opened with the initiator's own
 *     verified account it is authorized (audit ACCOUNT_OWNER); the same account unverified, or
 *     another person's verified account, does not authorize it, and the owner's account does
 *     not authorize a signer's page;
 *   - a process with a teamId: the initiator's session is authorized by a verified account of
 *     a team member (ACCOUNT_TEAM), not by the member's unverified account, not by a
 *     non-member, not on a signer's page, and no longer once the admin removed the member;
 *   - a NON_PERSON initiator gets no link from release and no Open Request (404), so team
 *     membership is reachable only through a PERSON initiator's link.
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
#define PASSWORD   "correct horse battery"
#define ADMIN_API  "/ui/admin/api"
#define ADMIN      "admin@org.example"

static struct server srv;
static char data_dir[256];
static char org[128];
static struct client cl;

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* `signet admin org-user create` for the cockpit's admin of org. */
static void admin_create(void)
{
    char pw_file[300];
    snprintf(pw_file, sizeof pw_file, "%s/pw.txt", data_dir);
    FILE *f = fopen(pw_file, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", PASSWORD);
    fclose(f);
    const char *args[] = {"admin",   "org-user", "create",          "--org", org,
                          "--email", ADMIN,      "--password-file", pw_file, "--data",
                          data_dir,  "--json",   "--log-level",     "error", NULL};
    json_t *j = run_json(args);
    assert_string_equal(xs(j, "organization_id"), org);
    json_decref(j);
    remove(pw_file);
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "ORGANIZATION", org, sizeof org);
    tenant_create_client(data_dir, org, ALL_SCOPES, &cl);
    admin_create();
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

/* ---- the cockpit admin in a browser ---- */

struct cockpit {
    char cookie[160];
    char csrf[64];
};

static void cockpit_call(const struct cockpit *b, const char *method, const char *path,
                         const char *body, struct response *r)
{
    char cookie[200], csrf[100];
    const char *h[4];
    size_t n = 0;
    h[n++] = "Content-Type: application/json";
    if (b->cookie[0]) {
        snprintf(cookie, sizeof cookie, "Cookie: %s", b->cookie);
        h[n++] = cookie;
        snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", b->csrf);
        h[n++] = csrf;
    }
    h[n] = NULL;
    assert_true(http(&srv, method, path, h, body, body ? strlen(body) : 0, r));
}

static void cockpit_sign_in(struct cockpit *b)
{
    struct response r;
    memset(b, 0, sizeof *b);
    cockpit_call(b, "POST", ADMIN_API "/login",
                 "{\"email\":\"" ADMIN "\",\"password\":\"" PASSWORD "\"}", &r);
    assert_int_equal(r.status, 200);
    char set_cookie[256];
    assert_true(response_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
    size_t n = strcspn(set_cookie, ";");
    assert_true(n < sizeof b->cookie);
    memcpy(b->cookie, set_cookie, n);
    b->cookie[n] = '\0';
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    response_free(&r);
}

/* A team named name with one member (the admin's way, in the cockpit); its id into id. */
static void team_create(const struct cockpit *admin, const char *name, const char *member, char *id,
                        size_t id_len)
{
    char body[200], path[200];
    struct response r;
    snprintf(body, sizeof body, "{\"name\":\"%s\"}", name);
    cockpit_call(admin, "POST", ADMIN_API "/teams", body, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", xs(r.json, "id"));
    response_free(&r);
    snprintf(path, sizeof path, ADMIN_API "/teams/%s/members", id);
    snprintf(body, sizeof body, "{\"email\":\"%s\"}", member);
    cockpit_call(admin, "POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
}

/* ---- a person account in a browser ---- */

struct account {
    char cookie[128];
    char csrf[128];
};

static long post_json(const char *path, const char *body, struct response *r)
{
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, "POST", path, hdrs, body, strlen(body), r));
    return r->status;
}

static void account_create(const char *email)
{
    char body[512];
    struct response r;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", email);
    assert_int_equal(post_json("/ui/account/api/create", body, &r), 202);
    response_free(&r);
}

/* Follows the newest e-mail link sent to email (lowercase), as its owner would. */
static void account_verify(const char *email)
{
    char out[8192], body[128], q[256];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE kind = 'ACCOUNT_VERIFY' AND recipient = '%s' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             email, test_sql_insert_order());
    assert_true(test_sql(data_dir, q, out, sizeof out));
    const char *p = strstr(out, "/ui/account?verify=");
    assert_non_null(p);
    p += strlen("/ui/account?verify=");
    size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    assert_int_equal(n, 43);
    snprintf(body, sizeof body, "{\"token\":\"%.*s\"}", (int)n, p);
    struct response r;
    assert_int_equal(post_json("/ui/account/api/verify-email", body, &r), 200);
    assert_string_equal(xs(r.json, "email"), email);
    response_free(&r);
}

static void account_sign_in(struct account *a, const char *email)
{
    char body[512];
    struct response r;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", email);
    assert_int_equal(post_json("/ui/account/api/login", body, &r), 200);
    char set[512];
    assert_true(response_header(&r, "Set-Cookie", set, sizeof set));
    const char *v = strstr(set, "signet_account=");
    assert_non_null(v);
    v += strlen("signet_account=");
    size_t n = strcspn(v, ";");
    assert_true(n < sizeof a->cookie);
    memcpy(a->cookie, v, n);
    a->cookie[n] = '\0';
    snprintf(a->csrf, sizeof a->csrf, "%s", xs(r.json, "csrfToken"));
    response_free(&r);
}

/* Whether the signer page session b, asked for its state with the account cookie a, is
 * authorized; the account must be seen as signed in. */
static bool authorized_with(const struct account *a, struct page_browser *b)
{
    char cookie_hdr[400];
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: signet_account=%s; signet_sign=%s", a->cookie,
             b->cookie);
    const char *hdrs[] = {cookie_hdr, NULL};
    struct response r;
    assert_true(http(&srv, "GET", "/ui/api/session", hdrs, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(json_object_get(r.json, "account"), "signedIn")));
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    bool yes = json_is_true(json_object_get(r.json, "authorized"));
    response_free(&r);
    return yes;
}

/* ---- processes ---- */

/* A released process: the initiator as given, signer Anna (crm-a, anna@example.com), team_id
 * when not NULL. */
struct released {
    char id[64];
    char initiator_id[64];
    char initiator_path[256]; /* empty when release gave the initiator no link */
    char anna_path[256];
};

static void release_process(const char *initiator, const char *team_id, struct released *out)
{
    char body[1024], team[128] = "";
    struct response r;
    memset(out, 0, sizeof *out);
    if (team_id)
        snprintf(team, sizeof team, "\"teamId\":\"%s\",", team_id);
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"SIMPLE\",%s\"initiator\":%s,"
             "\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-a\","
             "\"firstName\":\"Anna\",\"lastName\":\"Muster\",\"email\":\"anna@example.com\"}]}}",
             team, initiator);
    tenant_call(&srv, "POST", PROCESS_PATH, &cl, body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "create: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    snprintf(out->id, sizeof out->id, "%s", xs(r.json, "id"));
    snprintf(out->initiator_id, sizeof out->initiator_id, "%s",
             xs(json_object_get(r.json, "initiator"), "identification"));
    response_free(&r);
    assert_true(out->initiator_id[0]);
    char *attach = tenant_attach_body(
        "simple-a4.pdf", "doc-1",
        "[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600}]");
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", out->id);
    tenant_call(&srv, "POST", path, &cl, attach, NULL, &r);
    free(attach);
    assert_int_equal(r.status, 201);
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", out->id);
    tenant_call(&srv, "POST", path, &cl, "{}", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *p = json_array_get(parts, i);
        const char *url = xs(p, "url");
        const char *tail = url ? strstr(url, "/ui/sign/") : NULL;
        assert_non_null(tail);
        const char *ext = xs(p, "externalIdentifier");
        if (!strcmp(xs(p, "id"), out->initiator_id))
            snprintf(out->initiator_path, sizeof out->initiator_path, "%s", tail);
        else if (ext && !strcmp(ext, "crm-a"))
            snprintf(out->anna_path, sizeof out->anna_path, "%s", tail);
    }
    response_free(&r);
    assert_true(out->anna_path[0]);
}

#define IDA_INITIATOR                                                                              \
    "{\"type\":\"PERSON\",\"firstName\":\"Ida\",\"lastName\":\"Initiant\","                        \
    "\"email\":\"Ida@Example.com\"}"

/* ---- tests ---- */

static void person_initiator_is_authorized_by_the_owner_account(void **state)
{
    (void)state;
    struct released p;
    release_process(IDA_INITIATOR, NULL, &p);
    /* Release gives a PERSON initiator a participant link of its own. */
    assert_true(p.initiator_path[0]);

    /* Ida's account, e-mail not yet verified: her initiator session is not authorized. */
    account_create("ida@example.com");
    struct account ida;
    account_sign_in(&ida, "ida@example.com");
    struct page_browser initiator = {0};
    page_open(&srv, &initiator, p.initiator_path);
    assert_false(authorized_with(&ida, &initiator));

    /* Another person's verified account does not authorize it either. */
    account_create("otto@example.com");
    account_verify("otto@example.com");
    struct account otto;
    account_sign_in(&otto, "otto@example.com");
    assert_false(authorized_with(&otto, &initiator));
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS", NULL, NULL), 0);

    /* Ida's own account, once verified (the process spells her address in another case). */
    account_verify("ida@example.com");
    assert_true(authorized_with(&ida, &initiator));
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS",
                                  "authorization_method", "ACCOUNT_OWNER"),
                     1);
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS",
                                  "authorization_participantId", p.initiator_id),
                     1);

    /* Owning the process does not open a signer's page. */
    struct page_browser anna = {0};
    page_open(&srv, &anna, p.anna_path);
    assert_false(authorized_with(&ida, &anna));
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS", NULL, NULL), 1);
}

static void team_member_is_authorized_for_the_initiator(void **state)
{
    (void)state;
    /* The organization's admin makes the teams "Sales" with member Tom and "Back office" with
     * member Nina in the cockpit. */
    struct cockpit admin;
    cockpit_sign_in(&admin);
    char team[64], other[64], members[200];
    team_create(&admin, "Sales", "Tom@Example.com", team, sizeof team);
    team_create(&admin, "Back office", "nina@example.com", other, sizeof other);

    struct released p;
    release_process(IDA_INITIATOR, team, &p);
    assert_true(p.initiator_path[0]);

    /* Tom's account, not yet verified: not authorized. */
    account_create("tom@example.com");
    struct account tom;
    account_sign_in(&tom, "tom@example.com");
    struct page_browser initiator = {0};
    page_open(&srv, &initiator, p.initiator_path);
    assert_false(authorized_with(&tom, &initiator));

    /* A verified account of a member of another team: not authorized. */
    account_create("nina@example.com");
    account_verify("nina@example.com");
    struct account nina;
    account_sign_in(&nina, "nina@example.com");
    assert_false(authorized_with(&nina, &initiator));
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS", NULL, NULL), 0);

    /* Tom, verified: authorized as a member of the process's team. */
    account_verify("tom@example.com");
    assert_true(authorized_with(&tom, &initiator));
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS",
                                  "authorization_method", "ACCOUNT_TEAM"),
                     1);
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS",
                                  "authorization_participantId", p.initiator_id),
                     1);

    /* Membership is for the initiator's session only, not for a signer's page. */
    struct page_browser anna = {0};
    page_open(&srv, &anna, p.anna_path);
    assert_false(authorized_with(&tom, &anna));

    /* Once the admin removed Tom from the team, a new initiator session is not authorized. */
    struct response r;
    snprintf(members, sizeof members, ADMIN_API "/teams/%s/members/remove", team);
    cockpit_call(&admin, "POST", members, "{\"email\":\"tom@example.com\"}", &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    struct page_browser again = {0};
    page_open(&srv, &again, p.initiator_path);
    assert_false(authorized_with(&tom, &again));
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS",
                                  "authorization_method", "ACCOUNT_TEAM"),
                     1);
}

static void non_person_initiator_has_no_link(void **state)
{
    (void)state;
    struct cockpit admin;
    cockpit_sign_in(&admin);
    struct response r;
    char team[64];
    team_create(&admin, "Support", "sam@example.com", team, sizeof team);

    struct released p;
    release_process("{\"type\":\"NON_PERSON\",\"name\":\"ERP\"}", team, &p);
    /* Release answers links for the signers only, and there is no Open Request either. */
    assert_false(p.initiator_path[0]);
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/open/%s", p.id, p.initiator_id);
    tenant_call(&srv, "POST", path, &cl, "{\"lifecycle\":\"TEMPORARY\"}", NULL, &r);
    assert_error_object(&r, 404, "ParticipantNotFound");
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(person_initiator_is_authorized_by_the_owner_account),
        cmocka_unit_test(team_member_is_authorized_for_the_initiator),
        cmocka_unit_test(non_person_initiator_has_no_link),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
