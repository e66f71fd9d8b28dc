"""One snooze / dismiss / bought policy: the service, and the CLI calling it in-process.

The CLI names an occasion by person and kind (``reminder snooze Sam birthday --until …``); the
app hands the service the occurrence it shows. Both go through ``act_on_reminder``, so a day the
app refuses the CLI refuses too, in the same words (tests/tui/test_snooze.py runs the app).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from profilekeeper import services
from profilekeeper.cli import main
from profilekeeper.errors import InvalidInput, NotFound
from profilekeeper.model import Occasion, Person
from tests.conftest import PASSPHRASE

TODAY = date(2026, 5, 1)
BIRTHDAY = date(2026, 5, 10)  # Sam's, nagging from TODAY (14-day lead)


@pytest.fixture
def sam(vault):
    person = vault.add(Person(name="Sam"))
    return vault.add(Occasion("birthday", 5, 10, 1986, person_id=person.id, lead_days=[14]))


@pytest.fixture
def cli(monkeypatch, capsys):
    """``profilekeeper ARGS`` in-process (the vault's fast test KDF), as (status, out, err)."""
    monkeypatch.setenv("PROFILEKEEPER_PASSPHRASE", PASSPHRASE)

    def run(*args: str, today: date = TODAY) -> tuple[int, str, str]:
        code = main([*args, "--today", today.isoformat()])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def state(vault, occasion):
    return vault.get(Occasion, occasion.id).reminder_state


@pytest.mark.parametrize(
    ("until", "said"),
    [
        (BIRTHDAY, "snooze until a day before 2026-05-10, the day itself; "
                   "to stop reminding this year, dismiss it"),
        (date(2026, 6, 1), "snooze until a day before 2026-05-10, the day itself; "
                           "to stop reminding this year, dismiss it"),
        (TODAY, "snooze until a day after today"),
    ],
    ids=["the day itself", "past it", "today"],
)
def test_the_cli_refuses_a_snooze_that_would_silence_the_day(vault, sam, cli, until, said):
    code, out, err = cli("reminder", "snooze", "Sam", "birthday", "--until", until.isoformat())
    assert (code, out, err) == (2, "", f"profilekeeper: {said}\n")
    assert state(vault, sam) == {}
    # ... so on the day itself it still reminds (before, the CLI silenced it until then).
    code, out, _ = cli("remind", "--days", "0", today=BIRTHDAY)
    assert code == 1 and "Sam turns 40" in out
    # The service says the same to anyone who asks it directly.
    with pytest.raises(InvalidInput) as raised:
        services.act_on_next(vault, "Sam", "birthday", "snooze", TODAY, until)
    assert str(raised.value) == said


def test_the_cli_snoozes_dismisses_and_marks_bought_through_the_service(vault, sam, cli):
    code, out, _ = cli("reminder", "snooze", " sam ", "Birthday", "--until", "2026-05-09")
    assert (code, out) == (0, "Snoozed until 2026-05-09: Sam turns 40 on 2026-05-10.\n")
    assert state(vault, sam) == {"2026": {"snoozed_until": "2026-05-09"}}
    code, out, _ = cli("remind", "--json", "--days", "30")
    assert code == 0 and json.loads(out)["due"] == []
    assert cli("reminder", "bought", "Sam", "birthday")[1] == (
        "Marked the gift bought: Sam turns 40 on 2026-05-10.\n")
    assert cli("reminder", "dismiss", "Sam", "birthday")[1] == (
        "Dismissed: Sam turns 40 on 2026-05-10.\n")
    assert state(vault, sam) == {
        "2026": {"snoozed_until": "2026-05-09", "bought": "true", "dismissed": "true"}
    }


def test_a_bad_until_is_said_before_the_passphrase_is_needed(vault, sam, cli, monkeypatch):
    monkeypatch.delenv("PROFILEKEEPER_PASSPHRASE")  # it must not get as far as unlocking
    code, _, err = cli("reminder", "snooze", "Sam", "birthday", "--until", "10 May")
    assert (code, err) == (2, "profilekeeper: --until is written YYYY-MM-DD\n")


def test_act_on_next_is_all_or_nothing(vault):
    """Two anniversaries: a snooze that fits the later one but passes the nearer changes neither."""
    kim = vault.add(Person(name="Kim"))
    near = vault.add(Occasion("anniversary", 5, 5, 2016, person_id=kim.id))
    far = vault.add(Occasion("anniversary", 5, 20, 2020, person_id=kim.id))
    with pytest.raises(InvalidInput, match="a day before 2026-05-05"):
        services.act_on_next(vault, "kim", "anniversary", "snooze", TODAY, date(2026, 5, 8))
    assert state(vault, near) == state(vault, far) == {}
    acted = services.act_on_next(vault, "kim", "anniversary", "snooze", TODAY, date(2026, 5, 3))
    assert [item.on for item in acted] == [date(2026, 5, 5), date(2026, 5, 20)]
    assert state(vault, near) == state(vault, far) == {"2026": {"snoozed_until": "2026-05-03"}}


def test_act_on_next_names_what_is_missing_without_values(vault, sam):
    with pytest.raises(NotFound) as nobody:
        services.act_on_next(vault, "Noor", "birthday", "dismiss", TODAY)
    assert str(nobody.value) == "no person by that name"
    with pytest.raises(NotFound) as no_kind:
        services.act_on_next(vault, "Sam", "wedding", "dismiss", TODAY)
    assert str(no_kind.value) == "that person has no occasion of that kind"


def test_the_next_occurrence_is_next_years_once_this_years_has_passed(vault, sam):
    [item] = services.act_on_next(vault, "Sam", "birthday", "bought", date(2026, 5, 11))
    assert item.on == date(2027, 5, 10)
    assert state(vault, sam) == {"2027": {"bought": "true"}}
