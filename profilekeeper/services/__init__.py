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
    ONE_A_PERSON,
    Unparsed,
    add_gift,
    add_interest,
    add_occasion,
    add_person,
    add_purchase,
    find_person_id,
    gift_from,
    interest_from,
    mark_purchase_as_gift,
    occasion_from,
    occasions_of_kind,
    parse_sizes,
    person_from,
    purchase_from,
    remove_interest,
    remove_occasions,
    remove_person,
    save_gift,
    save_interest,
    save_occasion,
    save_person,
    save_purchase,
    set_profile,
    sizes_text,
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
    "ONE_A_PERSON",
    "PLAINTEXT_WARNING",
    "PeopleRows",
    "PersonRow",
    "SNOOZE_DAYS",
    "THEMES",
    "TRY_AGAIN",
    "Unparsed",
    "VaultReader",
    "act_on_next",
    "act_on_reminder",
    "add_gift",
    "add_interest",
    "add_occasion",
    "add_person",
    "add_purchase",
    "calendar_of",
    "check_new_passphrase",
    "damage_notice",
    "days_label",
    "export_ics_file",
    "export_json_file",
    "find_person_id",
    "gift_from",
    "gifts_by_year",
    "home_view",
    "import_contacts_file",
    "import_json_file",
    "interest_from",
    "leap_day",
    "mark_purchase_as_gift",
    "matching",
    "names_of",
    "occasion_from",
    "occasions_of_kind",
    "parse_sizes",
    "passphrase_hint",
    "people_rows",
    "person_due",
    "person_from",
    "purchase_from",
    "remove_interest",
    "remove_occasions",
    "remove_person",
    "save_gift",
    "save_interest",
    "save_occasion",
    "save_person",
    "save_purchase",
    "set_profile",
    "setting",
    "sizes_text",
    "snooze_default",
    "toggle_personalize",
    "unlock_store",
    "unlock_with_remembered_key",
    "update_settings",
]
