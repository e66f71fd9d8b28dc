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
# `person list` needs only people. The same pattern as store/.
#
# Two lists of the same names, kept equal by tests/test_boundaries.py: the imports the type
# checker reads (``X as X``: exported, as strict mypy wants; they never run), and ``_HOMES``,
# the table the package serves them from at run time (``__all__`` is read from it). No name may
# be a module's (a module imported sets its own name here): the list of shops is
# services.shops.shops.
if TYPE_CHECKING:
    from profilekeeper.services.activity import activity_log as activity_log
    from profilekeeper.services.activity import consent_receipt as consent_receipt
    from profilekeeper.services.activity import expire_receipts as expire_receipts
    from profilekeeper.services.activity import last_outcome as last_outcome
    from profilekeeper.services.backup import Backup as Backup
    from profilekeeper.services.backup import DamagedBackup as DamagedBackup
    from profilekeeper.services.backup import make_backup as make_backup
    from profilekeeper.services.backup import read_backup as read_backup
    from profilekeeper.services.backup import recall_backup_key as recall_backup_key
    from profilekeeper.services.backup import restore_backup as restore_backup
    from profilekeeper.services.feedback import allow_feedback as allow_feedback
    from profilekeeper.services.feedback import pending_verdicts as pending_verdicts
    from profilekeeper.services.feedback import takes_feedback as takes_feedback
    from profilekeeper.services.files import PLAINTEXT_WARNING as PLAINTEXT_WARNING
    from profilekeeper.services.files import calendar_of as calendar_of
    from profilekeeper.services.files import check_export_path as check_export_path
    from profilekeeper.services.files import check_vdir_path as check_vdir_path
    from profilekeeper.services.files import export_ics_file as export_ics_file
    from profilekeeper.services.files import export_json_file as export_json_file
    from profilekeeper.services.files import export_json_text as export_json_text
    from profilekeeper.services.files import export_vdir as export_vdir
    from profilekeeper.services.files import export_vdir_folder as export_vdir_folder
    from profilekeeper.services.files import import_contacts_file as import_contacts_file
    from profilekeeper.services.files import import_contacts_report as import_contacts_report
    from profilekeeper.services.files import import_json_file as import_json_file
    from profilekeeper.services.files import import_json_text as import_json_text
    from profilekeeper.services.files import read_import as read_import
    from profilekeeper.services.files import write_export as write_export
    from profilekeeper.services.grants import grant_slice as grant_slice
    from profilekeeper.services.grants import grantable as grantable
    from profilekeeper.services.grants import grants_of as grants_of
    from profilekeeper.services.grants import outgoing as outgoing
    from profilekeeper.services.grants import parse_until as parse_until
    from profilekeeper.services.grants import preview as preview
    from profilekeeper.services.grants import revoke_grant as revoke_grant
    from profilekeeper.services.grants import source_of as source_of
    from profilekeeper.services.people import ONE_A_PERSON as ONE_A_PERSON
    from profilekeeper.services.people import add_occasion as add_occasion
    from profilekeeper.services.people import add_person as add_person
    from profilekeeper.services.people import find_person as find_person
    from profilekeeper.services.people import find_person_id as find_person_id
    from profilekeeper.services.people import occasion_from as occasion_from
    from profilekeeper.services.people import occasions_of_kind as occasions_of_kind
    from profilekeeper.services.people import parse_sizes as parse_sizes
    from profilekeeper.services.people import person_from as person_from
    from profilekeeper.services.people import remove_occasion as remove_occasion
    from profilekeeper.services.people import remove_occasions as remove_occasions
    from profilekeeper.services.people import remove_person as remove_person
    from profilekeeper.services.people import remove_person_by_id as remove_person_by_id
    from profilekeeper.services.people import save_occasion as save_occasion
    from profilekeeper.services.people import save_person as save_person
    from profilekeeper.services.people import sizes_text as sizes_text
    from profilekeeper.services.records import add_gift as add_gift
    from profilekeeper.services.records import add_interest as add_interest
    from profilekeeper.services.records import add_purchase as add_purchase
    from profilekeeper.services.records import gift_from as gift_from
    from profilekeeper.services.records import interest_from as interest_from
    from profilekeeper.services.records import interests_of as interests_of
    from profilekeeper.services.records import mark_purchase_as_gift as mark_purchase_as_gift
    from profilekeeper.services.records import purchase_from as purchase_from
    from profilekeeper.services.records import remove_gift as remove_gift
    from profilekeeper.services.records import remove_interest as remove_interest
    from profilekeeper.services.records import remove_interest_by_id as remove_interest_by_id
    from profilekeeper.services.records import remove_purchase as remove_purchase
    from profilekeeper.services.records import save_gift as save_gift
    from profilekeeper.services.records import save_interest as save_interest
    from profilekeeper.services.records import save_purchase as save_purchase
    from profilekeeper.services.records import set_profile as set_profile
    from profilekeeper.services.records import set_thanked as set_thanked
    from profilekeeper.services.records import thank_for as thank_for
    from profilekeeper.services.records import toggle_personalize as toggle_personalize
    from profilekeeper.services.reminders import SNOOZE_DAYS as SNOOZE_DAYS
    from profilekeeper.services.reminders import act_on_next as act_on_next
    from profilekeeper.services.reminders import act_on_reminder as act_on_reminder
    from profilekeeper.services.reminders import snooze_default as snooze_default
    from profilekeeper.services.settings import DEFAULT_IDLE_MINUTES as DEFAULT_IDLE_MINUTES
    from profilekeeper.services.settings import (
        DEFAULT_MAX_RETENTION_DAYS as DEFAULT_MAX_RETENTION_DAYS,
    )
    from profilekeeper.services.settings import DEFAULT_PURPOSES as DEFAULT_PURPOSES
    from profilekeeper.services.settings import GPC_NOTE as GPC_NOTE
    from profilekeeper.services.settings import NOTIFY_COMMAND as NOTIFY_COMMAND
    from profilekeeper.services.settings import THEMES as THEMES
    from profilekeeper.services.settings import MinimumTerms as MinimumTerms
    from profilekeeper.services.settings import minimum_terms as minimum_terms
    from profilekeeper.services.settings import minimum_terms_from as minimum_terms_from
    from profilekeeper.services.settings import set_kind_lead as set_kind_lead
    from profilekeeper.services.settings import set_minimum_terms as set_minimum_terms
    from profilekeeper.services.settings import set_notify_command as set_notify_command
    from profilekeeper.services.settings import setting as setting
    from profilekeeper.services.settings import update_settings as update_settings
    from profilekeeper.services.sharing import ShopReport as ShopReport
    from profilekeeper.services.sharing import echo_matches as echo_matches
    from profilekeeper.services.sharing import forget_shop as forget_shop
    from profilekeeper.services.sharing import revoke as revoke
    from profilekeeper.services.sharing import share as share
    from profilekeeper.services.sharing import store_suggestions as store_suggestions
    from profilekeeper.services.sharing import sync_shops as sync_shops
    from profilekeeper.services.shops import Connected as Connected
    from profilekeeper.services.shops import ShopLook as ShopLook
    from profilekeeper.services.shops import TermsRefused as TermsRefused
    from profilekeeper.services.shops import check_url as check_url
    from profilekeeper.services.shops import connect_shop as connect_shop
    from profilekeeper.services.shops import find_shop as find_shop
    from profilekeeper.services.shops import look_at_shop as look_at_shop
    from profilekeeper.services.shops import now_utc as now_utc
    from profilekeeper.services.shops import terms_text as terms_text
    from profilekeeper.services.shops import what_shop_holds as what_shop_holds
    from profilekeeper.services.unlock import MIN_PASSPHRASE as MIN_PASSPHRASE
    from profilekeeper.services.unlock import TRY_AGAIN as TRY_AGAIN
    from profilekeeper.services.unlock import check_new_passphrase as check_new_passphrase
    from profilekeeper.services.unlock import passphrase_hint as passphrase_hint
    from profilekeeper.services.unlock import unlock_store as unlock_store
    from profilekeeper.services.unlock import (
        unlock_with_remembered_key as unlock_with_remembered_key,
    )
    from profilekeeper.services.vault_access import KeyringUnavailable as KeyringUnavailable
    from profilekeeper.services.vault_access import KeyStore as KeyStore
    from profilekeeper.services.vault_access import Rotation as Rotation
    from profilekeeper.services.vault_access import change_passphrase as change_passphrase
    from profilekeeper.services.vault_access import create_vault as create_vault
    from profilekeeper.services.vault_access import forget_key as forget_key
    from profilekeeper.services.vault_access import key_remembered as key_remembered
    from profilekeeper.services.vault_access import open_vault as open_vault
    from profilekeeper.services.vault_access import recall_key as recall_key
    from profilekeeper.services.vault_access import remember_key as remember_key
    from profilekeeper.services.vault_access import rotate_key as rotate_key
    from profilekeeper.services.views import HomeView as HomeView
    from profilekeeper.services.views import NoteOwed as NoteOwed
    from profilekeeper.services.views import PeopleRows as PeopleRows
    from profilekeeper.services.views import PersonRow as PersonRow
    from profilekeeper.services.views import SuggestionsGlance as SuggestionsGlance
    from profilekeeper.services.views import VaultReader as VaultReader
    from profilekeeper.services.views import damage_notice as damage_notice
    from profilekeeper.services.views import days_label as days_label
    from profilekeeper.services.views import gifts_by_year as gifts_by_year
    from profilekeeper.services.views import home_greeting as home_greeting
    from profilekeeper.services.views import home_view as home_view
    from profilekeeper.services.views import leads_for as leads_for
    from profilekeeper.services.views import leap_day as leap_day
    from profilekeeper.services.views import matching as matching
    from profilekeeper.services.views import names_of as names_of
    from profilekeeper.services.views import notes_owed as notes_owed
    from profilekeeper.services.views import people_rows as people_rows
    from profilekeeper.services.views import person_due as person_due
    from profilekeeper.services.views import suggestions_glance as suggestions_glance


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
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
