"""Words more than one front end shows for the same thing, defined once: the names of the
subscriber's details (step 5's fields, the bundle's list of personal data, the command line's
"not filled in yet")."""

from __future__ import annotations

from checks.i18n import N_

DETAIL_LABELS = {
    "name": N_("Your name"),
    "contract_id": N_("Contract / customer ID"),
    "provider": N_("Provider"),
    "reference": N_("Notice reference"),
    "notice_date": N_("Date of the notice"),
    "email": N_("Your e-mail"),
    "phone": N_("Your phone"),
}
