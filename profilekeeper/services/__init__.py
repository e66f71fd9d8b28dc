"""The application layer every front end calls: plain Python, no Textual, no SQL, no HTTP.

Each module is one group of use cases, taking an unlocked vault (or plain records) and returning
plain values, so the CLI and the screens give the same answers and the rules are testable
without a terminal:

    views       what the screens show (Home, People, a person), from either store
    records     changing records by the product's rules
    reminders   one snooze / dismiss / bought policy
    files       JSON export and import, the calendar, contacts
    settings    the owner's settings
    unlock      one unlock policy (passphrase, keyring, prompt) and the passphrase rules
"""

from __future__ import annotations

from profilekeeper.services.files import (
    PLAINTEXT_WARNING,
    calendar_of,
    export_ics_file,
    export_json_file,
    import_contacts_file,
    import_json_file,
)
from profilekeeper.services.records import (
    mark_purchase_as_gift,
    toggle_personalize,
)
from profilekeeper.services.reminders import (
    SNOOZE_DAYS,
    act_on_next,
    act_on_reminder,
    snooze_default,
)
from profilekeeper.services.settings import (
    DEFAULT_IDLE_MINUTES,
    THEMES,
    setting,
    update_settings,
)
from profilekeeper.services.unlock import (
    MIN_PASSPHRASE,
    TRY_AGAIN,
    check_new_passphrase,
    passphrase_hint,
    unlock_store,
    unlock_with_remembered_key,
)
from profilekeeper.services.views import (
    HomeView,
    PeopleRows,
    PersonRow,
    VaultReader,
    damage_notice,
    days_label,
    gifts_by_year,
    home_view,
    leap_day,
    matching,
    names_of,
    people_rows,
    person_due,
)

__all__ = [
    "DEFAULT_IDLE_MINUTES",
    "HomeView",
    "MIN_PASSPHRASE",
    "PLAINTEXT_WARNING",
    "PeopleRows",
    "PersonRow",
    "SNOOZE_DAYS",
    "THEMES",
    "TRY_AGAIN",
    "VaultReader",
    "act_on_next",
    "act_on_reminder",
    "calendar_of",
    "check_new_passphrase",
    "damage_notice",
    "days_label",
    "export_ics_file",
    "export_json_file",
    "gifts_by_year",
    "home_view",
    "import_contacts_file",
    "import_json_file",
    "leap_day",
    "mark_purchase_as_gift",
    "matching",
    "names_of",
    "passphrase_hint",
    "people_rows",
    "person_due",
    "setting",
    "snooze_default",
    "toggle_personalize",
    "unlock_store",
    "unlock_with_remembered_key",
    "update_settings",
]
