"""The application layer every front end calls: plain Python, no Textual, no SQL, no HTTP.

Each module is one group of use cases, taking an unlocked vault (or plain records) and returning
plain values, so the CLI and the screens give the same answers and the rules are testable
without a terminal:

    views       what the screens show (Home, People, a person), from either store
    people      people and their occasions, by the product's rules (names, dates, gifts)
    records     the other records (interests, gifts, purchases, the profile), likewise
    reminders   one snooze / dismiss / bought policy
    files       JSON export and import, the calendar, contacts
    backup      one encrypted backup file of the whole vault, and restoring it whole
    settings    the owner's settings
    unlock      one unlock policy (passphrase, keyring, prompt) and the passphrase rules
    vault_access  open or create the vault, its keyring copy, passphrase and key changes
    shops       look at a shop's terms, connect one (minimum terms, the link), find one,
                keep its token
    grants      what each shop may receive, and the exact preview of what it would get
    sharing     share, revoke at once, sync every shop concurrently, forget
    feedback    the owner's verdicts on suggestions, sent back where allowed
    activity    the activity log and the consent receipts' status
    suggestions the stored suggestions filtered and ranked (profilekeeper.suggestions), verdicts
    rules       the owner's rules over suggestions: hide, boost, bury
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each name below lives in one module, imported when the name is first asked for: importing
# every use case costs an everyday command ~50 ms (sharing brings asyncio and ssl with it), and
# `person list` needs only people. The same pattern as store/. A test keeps this table, the
# imports for the type checker and __all__ in step. No name here may be a module's (a module
# imported sets its own name here): the list of shops is services.shops.shops.
_HOMES = {
    "activity": "activity_log consent_receipt expire_receipts last_outcome",
    "backup": "Backup DamagedBackup make_backup read_backup recall_backup_key restore_backup",
    "feedback": "allow_feedback pending_verdicts takes_feedback",
    "files": (
        "PLAINTEXT_WARNING calendar_of check_export_path check_vdir_path export_ics_file "
        "export_json_file export_json_text export_vdir export_vdir_folder "
        "import_contacts_file import_contacts_report import_json_file import_json_text "
        "read_import write_export"
    ),
    "grants": (
        "grant_slice grantable grants_of outgoing parse_until preview revoke_grant "
        "source_of"
    ),
    "people": (
        "ONE_A_PERSON add_occasion add_person find_person find_person_id occasion_from "
        "occasions_of_kind parse_sizes person_from remove_occasion remove_occasions "
        "remove_person remove_person_by_id save_occasion save_person sizes_text"
    ),
    "records": (
        "add_gift add_interest add_purchase gift_from interest_from interests_of "
        "mark_purchase_as_gift purchase_from remove_gift remove_interest "
        "remove_interest_by_id remove_purchase save_gift save_interest save_purchase "
        "set_profile set_thanked thank_for toggle_personalize"
    ),
    "reminders": "SNOOZE_DAYS act_on_next act_on_reminder snooze_default",
    "settings": (
        "DEFAULT_IDLE_MINUTES DEFAULT_MAX_RETENTION_DAYS DEFAULT_PURPOSES GPC_NOTE "
        "NOTIFY_COMMAND THEMES MinimumTerms minimum_terms minimum_terms_from "
        "set_kind_lead set_minimum_terms set_notify_command setting update_settings"
    ),
    "sharing": "ShopReport echo_matches forget_shop revoke share store_suggestions sync_shops",
    "shops": (
        "Connected ShopLook TermsRefused check_url connect_shop find_shop look_at_shop "
        "now_utc terms_text what_shop_holds"
    ),
    "unlock": (
        "MIN_PASSPHRASE TRY_AGAIN check_new_passphrase passphrase_hint unlock_store "
        "unlock_with_remembered_key"
    ),
    "vault_access": (
        "KeyringUnavailable KeyStore Rotation change_passphrase create_vault "
        "forget_key key_remembered open_vault recall_key remember_key rotate_key"
    ),
    "views": (
        "HomeView NoteOwed PeopleRows PersonRow SuggestionsGlance VaultReader damage_notice "
        "days_label gifts_by_year home_greeting home_view leads_for leap_day matching "
        "names_of notes_owed people_rows person_due suggestions_glance"
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names.split()}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})


if TYPE_CHECKING:
    from profilekeeper.services.activity import (
        activity_log,
        consent_receipt,
        expire_receipts,
        last_outcome,
    )
    from profilekeeper.services.backup import (
        Backup,
        DamagedBackup,
        make_backup,
        read_backup,
        recall_backup_key,
        restore_backup,
    )
    from profilekeeper.services.feedback import allow_feedback, pending_verdicts, takes_feedback
    from profilekeeper.services.files import (
        PLAINTEXT_WARNING,
        calendar_of,
        check_export_path,
        check_vdir_path,
        export_ics_file,
        export_json_file,
        export_json_text,
        export_vdir,
        export_vdir_folder,
        import_contacts_file,
        import_contacts_report,
        import_json_file,
        import_json_text,
        read_import,
        write_export,
    )
    from profilekeeper.services.grants import (
        grant_slice,
        grantable,
        grants_of,
        outgoing,
        parse_until,
        preview,
        revoke_grant,
        source_of,
    )
    from profilekeeper.services.people import (
        ONE_A_PERSON,
        add_occasion,
        add_person,
        find_person,
        find_person_id,
        occasion_from,
        occasions_of_kind,
        parse_sizes,
        person_from,
        remove_occasion,
        remove_occasions,
        remove_person,
        remove_person_by_id,
        save_occasion,
        save_person,
        sizes_text,
    )
    from profilekeeper.services.records import (
        add_gift,
        add_interest,
        add_purchase,
        gift_from,
        interest_from,
        interests_of,
        mark_purchase_as_gift,
        purchase_from,
        remove_gift,
        remove_interest,
        remove_interest_by_id,
        remove_purchase,
        save_gift,
        save_interest,
        save_purchase,
        set_profile,
        set_thanked,
        thank_for,
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
        DEFAULT_MAX_RETENTION_DAYS,
        DEFAULT_PURPOSES,
        GPC_NOTE,
        NOTIFY_COMMAND,
        THEMES,
        MinimumTerms,
        minimum_terms,
        minimum_terms_from,
        set_kind_lead,
        set_minimum_terms,
        set_notify_command,
        setting,
        update_settings,
    )
    from profilekeeper.services.sharing import (
        ShopReport,
        echo_matches,
        forget_shop,
        revoke,
        share,
        store_suggestions,
        sync_shops,
    )
    from profilekeeper.services.shops import (
        Connected,
        ShopLook,
        TermsRefused,
        check_url,
        connect_shop,
        find_shop,
        look_at_shop,
        now_utc,
        terms_text,
        what_shop_holds,
    )
    from profilekeeper.services.unlock import (
        MIN_PASSPHRASE,
        TRY_AGAIN,
        check_new_passphrase,
        passphrase_hint,
        unlock_store,
        unlock_with_remembered_key,
    )
    from profilekeeper.services.vault_access import (
        KeyringUnavailable,
        KeyStore,
        Rotation,
        change_passphrase,
        create_vault,
        forget_key,
        key_remembered,
        open_vault,
        recall_key,
        remember_key,
        rotate_key,
    )
    from profilekeeper.services.views import (
        HomeView,
        NoteOwed,
        PeopleRows,
        PersonRow,
        SuggestionsGlance,
        VaultReader,
        damage_notice,
        days_label,
        gifts_by_year,
        home_greeting,
        home_view,
        leads_for,
        leap_day,
        matching,
        names_of,
        notes_owed,
        people_rows,
        person_due,
        suggestions_glance,
    )

__all__ = [
    "Backup",
    "DamagedBackup",
    "Connected",
    "DEFAULT_IDLE_MINUTES",
    "DEFAULT_MAX_RETENTION_DAYS",
    "DEFAULT_PURPOSES",
    "GPC_NOTE",
    "HomeView",
    "KeyStore",
    "KeyringUnavailable",
    "MIN_PASSPHRASE",
    "NoteOwed",
    "MinimumTerms",
    "ONE_A_PERSON",
    "PLAINTEXT_WARNING",
    "PeopleRows",
    "PersonRow",
    "SuggestionsGlance",
    "Rotation",
    "SNOOZE_DAYS",
    "ShopLook",
    "ShopReport",
    "THEMES",
    "TRY_AGAIN",
    "TermsRefused",
    "VaultReader",
    "act_on_next",
    "act_on_reminder",
    "activity_log",
    "make_backup",
    "read_backup",
    "recall_backup_key",
    "restore_backup",
    "add_gift",
    "allow_feedback",
    "add_interest",
    "add_occasion",
    "add_person",
    "add_purchase",
    "calendar_of",
    "change_passphrase",
    "check_export_path",
    "check_new_passphrase",
    "check_url",
    "connect_shop",
    "consent_receipt",
    "create_vault",
    "damage_notice",
    "days_label",
    "echo_matches",
    "expire_receipts",
    "export_ics_file",
    "export_json_file",
    "export_json_text",
    "find_person",
    "find_person_id",
    "find_shop",
    "forget_key",
    "forget_shop",
    "gift_from",
    "gifts_by_year",
    "grant_slice",
    "grantable",
    "grants_of",
    "home_greeting",
    "home_view",
    "import_contacts_file",
    "import_contacts_report",
    "check_vdir_path",
    "export_vdir",
    "export_vdir_folder",
    "import_json_file",
    "import_json_text",
    "interest_from",
    "interests_of",
    "key_remembered",
    "last_outcome",
    "leap_day",
    "look_at_shop",
    "mark_purchase_as_gift",
    "matching",
    "minimum_terms",
    "minimum_terms_from",
    "names_of",
    "notes_owed",
    "now_utc",
    "occasion_from",
    "occasions_of_kind",
    "open_vault",
    "outgoing",
    "parse_sizes",
    "parse_until",
    "passphrase_hint",
    "pending_verdicts",
    "people_rows",
    "person_due",
    "leads_for",
    "person_from",
    "preview",
    "purchase_from",
    "read_import",
    "recall_key",
    "remember_key",
    "remove_gift",
    "remove_interest",
    "remove_interest_by_id",
    "remove_occasion",
    "remove_occasions",
    "remove_person",
    "remove_person_by_id",
    "remove_purchase",
    "revoke",
    "revoke_grant",
    "rotate_key",
    "save_gift",
    "save_interest",
    "save_occasion",
    "save_person",
    "save_purchase",
    "set_minimum_terms",
    "set_profile",
    "set_thanked",
    "setting",
    "share",
    "sizes_text",
    "snooze_default",
    "thank_for",
    "source_of",
    "store_suggestions",
    "suggestions_glance",
    "sync_shops",
    "takes_feedback",
    "terms_text",
    "toggle_personalize",
    "unlock_store",
    "unlock_with_remembered_key",
    "update_settings",
    "NOTIFY_COMMAND",
    "set_kind_lead",
    "set_notify_command",
    "what_shop_holds",
    "write_export",
]
