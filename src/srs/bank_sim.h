/*
 * The bank-identification simulator (connector "bank-sim", docs/srs.md): what the simulated
 * bank shows on its page /srs/sim/bank/{order} (the reference transfer to make, the holder's
 * name and IBAN from the registration's prefill, the test login) and the partner result it
 * reports when the account holder confirms the transfer or cancels. The simulator is a test
 * tool: its test login is published on the page.
 *
 * Ownership: both functions return owned JSON (json_decref), NULL on failure.
 */
#ifndef SIGNET_SRS_BANK_SIM_H
#define SIGNET_SRS_BANK_SIM_H

#include "store/srs.h"

#include <jansson.h>
#include <stddef.h>

#define SRS_BANK_SIM_NAME     "Signet Simulator Bank"
#define SRS_BANK_SIM_USER     "simbank"
#define SRS_BANK_SIM_PASSWORD "simbank-test"

/* The page's state for r (its order), with prefill (may be NULL) for the holder and IBAN. */
json_t *srs_bank_sim_state(const struct store_srs_registration *r, const json_t *prefill);

/* The partner result of the account holder's answer `in` on the page ({"action": "CONFIRM"
 * with login, password, accountHolder {givenName, familyName, birthDate?}, iban, mobile; or
 * "CANCEL"}): APPROVED with the holder, account and transfer, or REJECTED when the person
 * cancels or the holder's name is not the one of the registration's prefill. NULL with err
 * (for the person to correct) when the login or a field is wrong: nothing is reported then. */
json_t *srs_bank_sim_result(const struct store_srs_registration *r, const json_t *prefill,
                            const json_t *in, int64_t now, char *err, size_t err_len);

#endif
