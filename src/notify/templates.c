/*
 * Message templates: per locale (en-GB, de-CH, fr-CH, it-CH) and kind, an e-mail subject and
 * text body and a short SMS text (see notify/notify.h). Bodies are text/plain UTF-8: values are
 * inserted as they are, nothing is HTML-escaped. Swiss German writes "ss" for "ß".
 */
#include "notify/notify.h"

#include "core/buf.h"
#include "core/str.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

#define N_KINDS 9

struct kind_text {
    const char *subject;
    const char *text;       /* first paragraph; {by} for DECLINED */
    const char *until_text; /* appended when valid_until_ms is set; {until} */
    const char *action;     /* paragraph with {link} when there is a link (or {code}) */
    const char *sms;        /* SMS text; {link} / {code} */
    const char *sms_until;  /* appended to the SMS when valid_until_ms is set; {until} */
};

struct locale_text {
    const char *locale;
    const char *date_format; /* strftime format of {until}, in UTC */
    const char *hello_name;  /* {name} */
    const char *hello;
    const char *message_intro; /* the initiator's personal message follows */
    const char *reason_intro;  /* the signer's reason follows */
    const char *footer;
    struct kind_text kind[N_KINDS]; /* by enum notify_kind */
};

static const struct locale_text locales[] = {
    {
        "en-GB",
        "%d/%m/%Y %H:%M UTC",
        "Hello {name},",
        "Hello,",
        "Message from the sender:",
        "Reason given:",
        "This message was sent automatically by Signet. Please do not reply to it.",
        {
            {"Documents are waiting for your signature", "You have been invited to sign documents.",
             "Please sign them by {until}.", "Open the documents to review and sign them:\n{link}",
             "Signet: you have been invited to sign documents: {link}", NULL},
            {"Your one-time code", "Your one-time code is: {code}", "It is valid until {until}.",
             NULL, "Signet code: {code}. Never share it.", "Valid until {until}."},
            {"Reminder: documents are waiting for your signature",
             "The documents you were invited to sign have not been signed yet.",
             "The signing process expires on {until}.",
             "Open the documents to review and sign them:\n{link}",
             "Signet reminder: documents are waiting for your signature: {link}", NULL},
            {"The documents have been signed",
             "All participants have signed the documents. The signing process is complete.", NULL,
             "You can download the signed documents here:\n{link}",
             "Signet: all participants have signed the documents.", NULL},
            {"A participant declined to sign", "{by} has declined to sign the documents.", NULL,
             "Details of the signing process:\n{link}",
             "Signet: {by} has declined to sign the documents.", NULL},
            {"The signing process has expired",
             "The signing process has expired before all participants signed. The documents "
             "can no longer be signed.",
             "It expired on {until}.", "Details of the signing process:\n{link}",
             "Signet: the signing process has expired and can no longer be signed.", NULL},
            {"Accept the terms of use of your registration",
             "Your identity has been verified. Please read and accept the terms of use to "
             "complete your registration.",
             "The link is valid until {until}.", "Terms of use:\n{link}",
             "Signet: your identity is verified. Accept the terms of use to complete your "
             "registration: {link}",
             "Valid until {until}."},
            {"Confirm your e-mail address",
             "Please confirm that this e-mail address belongs to your Signet account.",
             "The link is valid until {until}.", "Confirm it here:\n{link}",
             "Signet: confirm your e-mail address: {link}", NULL},
            {"Your Signet account",
             "Someone, perhaps you, tried to create a Signet account with this e-mail address. "
             "You have an account already: sign in with your password. If this was not you, you "
             "can ignore this message.",
             NULL, "Sign in here:\n{link}", "Signet: you have an account already: {link}", NULL},
        },
    },
    {
        "de-CH",
        "%d.%m.%Y %H:%M UTC",
        "Guten Tag {name}",
        "Guten Tag",
        "Nachricht des Absenders:",
        "Angegebener Grund:",
        "Diese Nachricht wurde automatisch von Signet versandt. Bitte antworten Sie nicht darauf.",
        {
            {"Dokumente warten auf Ihre Unterschrift",
             "Sie wurden eingeladen, Dokumente zu unterschreiben.",
             "Bitte unterschreiben Sie bis am {until}.",
             "Öffnen Sie die Dokumente, um sie zu prüfen und zu unterschreiben:\n{link}",
             "Signet: Sie wurden eingeladen, Dokumente zu unterschreiben: {link}", NULL},
            {"Ihr Einmalcode", "Ihr Einmalcode lautet: {code}", "Er ist gültig bis {until}.", NULL,
             "Signet-Code: {code}. Geben Sie ihn nie weiter.", "Gültig bis {until}."},
            {"Erinnerung: Dokumente warten auf Ihre Unterschrift",
             "Die Dokumente, zu deren Unterschrift Sie eingeladen wurden, sind noch nicht "
             "unterschrieben.",
             "Der Signaturprozess läuft am {until} ab.",
             "Öffnen Sie die Dokumente, um sie zu prüfen und zu unterschreiben:\n{link}",
             "Signet-Erinnerung: Dokumente warten auf Ihre Unterschrift: {link}", NULL},
            {"Die Dokumente wurden unterschrieben",
             "Alle Beteiligten haben die Dokumente unterschrieben. Der Signaturprozess ist "
             "abgeschlossen.",
             NULL, "Die unterschriebenen Dokumente können Sie hier herunterladen:\n{link}",
             "Signet: Alle Beteiligten haben die Dokumente unterschrieben.", NULL},
            {"Eine Unterschrift wurde abgelehnt",
             "{by} hat es abgelehnt, die Dokumente zu unterschreiben.", NULL,
             "Details zum Signaturprozess:\n{link}",
             "Signet: {by} hat es abgelehnt, die Dokumente zu unterschreiben.", NULL},
            {"Der Signaturprozess ist abgelaufen",
             "Der Signaturprozess ist abgelaufen, bevor alle Beteiligten unterschrieben haben. "
             "Die Dokumente können nicht mehr unterschrieben werden.",
             "Er ist am {until} abgelaufen.", "Details zum Signaturprozess:\n{link}",
             "Signet: Der Signaturprozess ist abgelaufen und kann nicht mehr unterschrieben "
             "werden.",
             NULL},
            {"Akzeptieren Sie die Nutzungsbedingungen Ihrer Registrierung",
             "Ihre Identität wurde geprüft. Bitte lesen und akzeptieren Sie die "
             "Nutzungsbedingungen, um Ihre Registrierung abzuschliessen.",
             "Der Link ist gültig bis {until}.", "Nutzungsbedingungen:\n{link}",
             "Signet: Ihre Identität ist geprüft. Akzeptieren Sie die Nutzungsbedingungen, um die "
             "Registrierung abzuschliessen: {link}",
             "Gültig bis {until}."},
            {"Bestätigen Sie Ihre E-Mail-Adresse",
             "Bitte bestätigen Sie, dass diese E-Mail-Adresse zu Ihrem Signet-Konto gehört.",
             "Der Link ist gültig bis {until}.", "Hier bestätigen:\n{link}",
             "Signet: Bestätigen Sie Ihre E-Mail-Adresse: {link}", NULL},
            {"Ihr Signet-Konto",
             "Jemand, vielleicht Sie, wollte mit dieser E-Mail-Adresse ein Signet-Konto "
             "eröffnen. Sie haben bereits ein Konto: Melden Sie sich mit Ihrem Passwort an. Wenn "
             "Sie es nicht waren, können Sie diese Nachricht ignorieren.",
             NULL, "Hier anmelden:\n{link}", "Signet: Sie haben bereits ein Konto: {link}", NULL},
        },
    },
    {
        "fr-CH",
        "%d.%m.%Y %H:%M UTC",
        "Bonjour {name},",
        "Bonjour,",
        "Message de l’expéditeur :",
        "Motif indiqué :",
        "Ce message a été envoyé automatiquement par Signet. Merci de ne pas y répondre.",
        {
            {"Des documents attendent votre signature",
             "Vous avez été invité·e à signer des documents.",
             "Veuillez les signer d’ici au {until}.",
             "Ouvrez les documents pour les examiner et les signer :\n{link}",
             "Signet : vous avez été invité·e à signer des documents : {link}", NULL},
            {"Votre code à usage unique", "Votre code à usage unique est : {code}",
             "Il est valable jusqu’au {until}.", NULL,
             "Code Signet : {code}. Ne le communiquez à personne.", "Valable jusqu’au {until}."},
            {"Rappel : des documents attendent votre signature",
             "Les documents que vous avez été invité·e à signer ne sont pas encore signés.",
             "Le processus de signature expire le {until}.",
             "Ouvrez les documents pour les examiner et les signer :\n{link}",
             "Rappel Signet : des documents attendent votre signature : {link}", NULL},
            {"Les documents ont été signés",
             "Tous les participants ont signé les documents. Le processus de signature est "
             "terminé.",
             NULL, "Vous pouvez télécharger les documents signés ici :\n{link}",
             "Signet : tous les participants ont signé les documents.", NULL},
            {"Un participant a refusé de signer", "{by} a refusé de signer les documents.", NULL,
             "Détails du processus de signature :\n{link}",
             "Signet : {by} a refusé de signer les documents.", NULL},
            {"Le processus de signature a expiré",
             "Le processus de signature a expiré avant que tous les participants aient signé. "
             "Les documents ne peuvent plus être signés.",
             "Il a expiré le {until}.", "Détails du processus de signature :\n{link}",
             "Signet : le processus de signature a expiré ; les documents ne peuvent plus être "
             "signés.",
             NULL},
            {"Acceptez les conditions d’utilisation de votre enregistrement",
             "Votre identité a été vérifiée. Veuillez lire et accepter les conditions "
             "d’utilisation pour terminer votre enregistrement.",
             "Le lien est valable jusqu’au {until}.", "Conditions d’utilisation :\n{link}",
             "Signet : votre identité est vérifiée. Acceptez les conditions d’utilisation pour "
             "terminer votre enregistrement : {link}",
             "Valable jusqu’au {until}."},
            {"Confirmez votre adresse e-mail",
             "Veuillez confirmer que cette adresse e-mail appartient à votre compte Signet.",
             "Le lien est valable jusqu’au {until}.", "Confirmez-la ici :\n{link}",
             "Signet : confirmez votre adresse e-mail : {link}", NULL},
            {"Votre compte Signet",
             "Quelqu’un, peut-être vous, a tenté de créer un compte Signet avec cette adresse "
             "e-mail. Vous avez déjà un compte : connectez-vous avec votre mot de passe. Si ce "
             "n’était pas vous, vous pouvez ignorer ce message.",
             NULL, "Connectez-vous ici :\n{link}", "Signet : vous avez déjà un compte : {link}",
             NULL},
        },
    },
    {
        "it-CH",
        "%d.%m.%Y %H:%M UTC",
        "Buongiorno {name},",
        "Buongiorno,",
        "Messaggio del mittente:",
        "Motivo indicato:",
        "Questo messaggio è stato inviato automaticamente da Signet. Si prega di non rispondere.",
        {
            {"Dei documenti attendono la sua firma",
             "È stato/a invitato/a a firmare dei documenti.",
             "La preghiamo di firmarli entro il {until}.",
             "Apra i documenti per esaminarli e firmarli:\n{link}",
             "Signet: è stato/a invitato/a a firmare dei documenti: {link}", NULL},
            {"Il suo codice monouso", "Il suo codice monouso è: {code}",
             "È valido fino al {until}.", NULL,
             "Codice Signet: {code}. Non lo comunichi a nessuno.", "Valido fino al {until}."},
            {"Promemoria: dei documenti attendono la sua firma",
             "I documenti che è stato/a invitato/a a firmare non sono ancora stati firmati.",
             "Il processo di firma scade il {until}.",
             "Apra i documenti per esaminarli e firmarli:\n{link}",
             "Promemoria Signet: dei documenti attendono la sua firma: {link}", NULL},
            {"I documenti sono stati firmati",
             "Tutti i partecipanti hanno firmato i documenti. Il processo di firma è concluso.",
             NULL, "Può scaricare i documenti firmati qui:\n{link}",
             "Signet: tutti i partecipanti hanno firmato i documenti.", NULL},
            {"Un partecipante ha rifiutato di firmare", "{by} ha rifiutato di firmare i documenti.",
             NULL, "Dettagli del processo di firma:\n{link}",
             "Signet: {by} ha rifiutato di firmare i documenti.", NULL},
            {"Il processo di firma è scaduto",
             "Il processo di firma è scaduto prima che tutti i partecipanti firmassero. I "
             "documenti non possono più essere firmati.",
             "È scaduto il {until}.", "Dettagli del processo di firma:\n{link}",
             "Signet: il processo di firma è scaduto; i documenti non possono più essere firmati.",
             NULL},
            {"Accetti le condizioni d’uso della sua registrazione",
             "La sua identità è stata verificata. Legga e accetti le condizioni d’uso per "
             "completare la registrazione.",
             "Il link è valido fino al {until}.", "Condizioni d’uso:\n{link}",
             "Signet: la sua identità è verificata. Accetti le condizioni d’uso per completare "
             "la registrazione: {link}",
             "Valido fino al {until}."},
            {"Confermi il suo indirizzo e-mail",
             "La preghiamo di confermare che questo indirizzo e-mail appartiene al suo account "
             "Signet.",
             "Il link è valido fino al {until}.", "Confermi qui:\n{link}",
             "Signet: confermi il suo indirizzo e-mail: {link}", NULL},
            {"Il suo account Signet",
             "Qualcuno, forse lei, ha tentato di creare un account Signet con questo indirizzo "
             "e-mail. Ha già un account: acceda con la sua password. Se non è stato lei, può "
             "ignorare questo messaggio.",
             NULL, "Acceda qui:\n{link}", "Signet: ha già un account: {link}", NULL},
        },
    },
};
#define N_LOCALES (sizeof locales / sizeof locales[0])

const char *notify_locale(const char *locale)
{
    if (locale && *locale)
        for (size_t i = 0; i < N_LOCALES; i++) {
            const char *l = locales[i].locale;
            /* "de-CH", "de_ch", or the language alone ("de"). */
            size_t n = strlen(locale);
            if ((n == 5 || n == 2) && tolower((unsigned char)locale[0]) == l[0] &&
                tolower((unsigned char)locale[1]) == l[1] &&
                (n == 2 || ((locale[2] == '-' || locale[2] == '_') &&
                            toupper((unsigned char)locale[3]) == l[3] &&
                            toupper((unsigned char)locale[4]) == l[4])))
                return l;
        }
    return locales[0].locale;
}

const char *notify_kind_name(enum notify_kind kind)
{
    static const char *const names[N_KINDS] = {"INVITE",    "CODE",           "REMINDER",
                                               "COMPLETED", "DECLINED",       "EXPIRED",
                                               "SRS_TERMS", "ACCOUNT_VERIFY", "ACCOUNT_EXISTS"};
    return (unsigned)kind < N_KINDS ? names[kind] : "UNKNOWN";
}

const char *notify_channel_name(enum notify_channel channel)
{
    return channel == NOTIFY_SMS ? "SMS" : "EMAIL";
}

struct vars {
    const char *name, *link, *code, *until, *by;
};

/* Appends tmpl to b with {name}, {link}, {code}, {until} and {by} replaced. */
static bool fill(struct buf *b, const char *tmpl, const struct vars *v)
{
    const char *p = tmpl;
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open)
            return buf_append_str(b, p) == BUF_OK;
        if (buf_append(b, p, (size_t)(open - p)) != BUF_OK)
            return false;
        const char *close = strchr(open, '}');
        if (!close)
            return buf_append_str(b, open) == BUF_OK;
        size_t klen = (size_t)(close - open - 1);
        const char *value = NULL;
        static const char *const keys[] = {"name", "link", "code", "until", "by"};
        const char *const values[] = {v->name, v->link, v->code, v->until, v->by};
        for (size_t i = 0; i < 5 && !value; i++)
            if (strlen(keys[i]) == klen && !strncmp(open + 1, keys[i], klen))
                value = values[i] ? values[i] : "";
        if (!value) { /* not a placeholder: keep the braces */
            if (buf_append(b, open, (size_t)(close - open + 1)) != BUF_OK)
                return false;
        } else if (buf_append_str(b, value) != BUF_OK) {
            return false;
        }
        p = close + 1;
    }
    return true;
}

static bool present(const char *s)
{
    return s && *s;
}

bool notify_render(const struct notify_message *m, char subject[NOTIFY_SUBJECT_MAX],
                   char body[NOTIFY_BODY_MAX])
{
    subject[0] = body[0] = '\0';
    if ((unsigned)m->kind >= N_KINDS)
        return false;
    /* What each kind cannot do without. */
    if (((m->kind == NOTIFY_INVITE || m->kind == NOTIFY_REMINDER || m->kind == NOTIFY_SRS_TERMS ||
          m->kind == NOTIFY_ACCOUNT_VERIFY || m->kind == NOTIFY_ACCOUNT_EXISTS) &&
         !present(m->link)) ||
        (m->kind == NOTIFY_CODE && !present(m->code)) ||
        (m->kind == NOTIFY_DECLINED && !present(m->declined_by)))
        return false;
    const char *lc = notify_locale(m->locale);
    const struct locale_text *L = &locales[0];
    for (size_t i = 0; i < N_LOCALES; i++)
        if (!strcmp(locales[i].locale, lc))
            L = &locales[i];
    const struct kind_text *K = &L->kind[m->kind];

    char until[64] = "";
    if (m->valid_until_ms > 0) {
        time_t t = (time_t)(m->valid_until_ms / 1000);
        struct tm tm;
        if (!gmtime_r(&t, &tm) || strftime(until, sizeof until, L->date_format, &tm) == 0)
            return false;
    }
    struct vars v = {m->recipient_name, m->link, m->code, until, m->declined_by};
    struct buf b;
    buf_init(&b, NOTIFY_BODY_MAX - 1);
    bool ok = true;
    if (m->channel == NOTIFY_SMS) {
        ok = fill(&b, K->sms, &v);
        if (ok && until[0] && K->sms_until)
            ok = buf_append_str(&b, " ") == BUF_OK && fill(&b, K->sms_until, &v);
    } else {
        ok = str_copy(subject, NOTIFY_SUBJECT_MAX, K->subject);
        ok = ok && fill(&b, present(m->recipient_name) ? L->hello_name : L->hello, &v) &&
             buf_append_str(&b, "\n\n") == BUF_OK && fill(&b, K->text, &v);
        if (ok && until[0] && K->until_text)
            ok = buf_append_str(&b, " ") == BUF_OK && fill(&b, K->until_text, &v);
        if (ok && K->action && present(m->link))
            ok = buf_append_str(&b, "\n\n") == BUF_OK && fill(&b, K->action, &v);
        if (ok && m->kind == NOTIFY_DECLINED && present(m->reason))
            ok = buf_appendf(&b, "\n\n%s\n%s", L->reason_intro, m->reason) == BUF_OK;
        if (ok && present(m->message))
            ok = buf_appendf(&b, "\n\n%s\n%s", L->message_intro, m->message) == BUF_OK;
        ok = ok && buf_appendf(&b, "\n\n-- \n%s\n", L->footer) == BUF_OK;
    }
    if (ok)
        ok = b.len < NOTIFY_BODY_MAX && str_copy(body, NOTIFY_BODY_MAX, b.data ? b.data : "");
    buf_free(&b);
    if (!ok)
        subject[0] = body[0] = '\0';
    return ok;
}
