"""``remind [START [END|DELTA]]``, ``--lead N``, lead precedence and ``--install-timer``."""

from __future__ import annotations

import json

import pytest

from profilekeeper.errors import InvalidInput
from profilekeeper.lead_times import DEFAULT_LEAD_DAYS, Leads
from profilekeeper.model import Occasion, Person
from profilekeeper.remind_range import window
from tests.conftest import PASSPHRASE, run_cli, run_main
from tests.reminders.conftest import TODAY

UNLOCK = {"PROFILEKEEPER_PASSPHRASE": PASSPHRASE}
FRIDAY = TODAY  # 2026-05-01


@pytest.mark.parametrize(
    ("start", "end", "days", "expected"),
    [
        (None, None, None, ("2026-05-01", 30)),
        ("today", None, None, ("2026-05-01", 30)),
        ("TOMORROW", None, None, ("2026-05-02", 30)),
        ("monday", None, None, ("2026-05-04", 30)),
        ("fri", None, None, ("2026-05-01", 30)),  # today is a Friday: it counts
        ("thu", None, 7, ("2026-05-07", 7)),
        ("2026-06-01", "2026-06-03", None, ("2026-06-01", 2)),
        ("today", "30d", None, ("2026-05-01", 30)),
        ("today", "2w", None, ("2026-05-01", 14)),
        ("tomorrow", "0d", None, ("2026-05-02", 0)),
        ("week", None, None, ("2026-05-01", 2)),  # to Sunday 3 May
        ("month", None, None, ("2026-05-01", 30)),  # to 31 May
        ("tomorrow", "week", None, ("2026-05-02", 1)),
        ("2026-05-10", "month", None, ("2026-05-10", 21)),
        ("2026-12-15", "month", None, ("2026-12-15", 16)),
        ("2028-02-03", "month", None, ("2028-02-03", 26)),  # a leap February
        ("monday", "friday", None, ("2026-05-04", 4)),  # the Friday after that Monday
        ("today", "tomorrow", None, ("2026-05-01", 1)),
        (None, None, 5, ("2026-05-01", 5)),
    ],
)
def test_range_table(start, end, days, expected):
    first, span = window(start, end, FRIDAY, days)
    assert (first.isoformat(), span) == expected


@pytest.mark.parametrize(
    ("start", "end", "days", "says"),
    [
        ("today", "2026-04-01", None, "END comes before START"),
        ("today", "30d", 5, "give END or --days, not both"),
        ("someday", None, None, "a day is written as"),
        ("mo", None, None, "a day is written as"),  # too short to tell monday
        ("today", "3y", None, "a day is written as"),
        ("9999-12-31", "tomorrow", None, "beyond the calendar"),
        (None, None, -1, "--days must be zero or more"),
    ],
)
def test_range_errors(start, end, days, says):
    with pytest.raises(InvalidInput, match=says):
        window(start, end, FRIDAY, days)


def due_on(*args: str) -> tuple[int, list[tuple[str, int]]]:
    result = run_cli("remind", "--today", TODAY.isoformat(), "--json", *args, env=UNLOCK)
    assert result.code in (0, 1), result.err
    payload = json.loads(result.out)
    return payload["days"], [(d["headline"], d["days_until"]) for d in payload["due"]]


def test_remind_ranges_at_the_command_line(vault, family):
    vault.close()
    # Judged from 8 May: Sam's birthday on the 10th, within its 14 days.
    assert due_on("2026-05-08", "2026-05-12") == (4, [("Sam turns 40", 2)])
    assert due_on("tomorrow", "2d") == (2, [])
    assert due_on("week") == (2, [])  # to Sunday 3 May; Sam is on the 10th
    assert due_on("today", "2w") == (14, [("Sam turns 40", 9)])
    text = run_cli("remind", "--today", TODAY.isoformat(), "tomorrow", "2d", env=UNLOCK)
    assert (text.code, text.out) == (0, "Nothing due from 2026-05-02 in the next 2 days.\n")
    both = run_cli("remind", "--today", TODAY.isoformat(), "today", "2026-05-20", "--days", "3",
                   env=UNLOCK)  # fmt: skip
    assert (both.code, both.err) == (2, "profilekeeper: give END or --days, not both\n")
    assert run_cli("remind", "someday", env=UNLOCK).code == 2


def test_lead_precedence_occasion_person_kind_default(vault, family):
    vault.close()
    at = ("--today", "2026-04-15")  # Sam's birthday is 25 days away
    assert due_on(*at) == (30, [])  # the built-in 14, 3
    assert run_cli("profile", "set", "--lead", "default=28", env=UNLOCK).code == 0
    assert due_on(*at)[1] == [("Sam turns 40", 25)]  # every kind: 28
    assert run_cli("profile", "set", "--lead", "birthday=20", env=UNLOCK).code == 0
    assert due_on(*at)[1] == []  # the kind's 20 beats the default
    assert "birthday: 20" in run_cli("profile", "show", env=UNLOCK).out
    assert run_cli("person", "lead", "Sam", "25,0", env=UNLOCK).code == 0
    assert due_on(*at)[1] == [("Sam turns 40", 25)]  # the person's beats the kind's
    assert run_cli("occasion", "lead", "Sam", "birthday", "7", env=UNLOCK).code == 0
    assert due_on(*at)[1] == []  # the occasion's own beats the person's
    listed = json.loads(run_cli("occasion", "list", "--person", "Sam", "--json", env=UNLOCK).out)
    assert [o["lead_days"] for o in listed] == [[7]]
    assert due_on(*at, "--lead", "30")[1] == [("Sam turns 40", 25)]  # --lead beats them all
    assert run_cli("occasion", "lead", "Sam", "birthday", "inherit", env=UNLOCK).code == 0
    assert due_on(*at)[1] == [("Sam turns 40", 25)]  # back to the person's 25
    assert run_cli("person", "lead", "Sam", "soon", env=UNLOCK).code == 2
    assert run_cli("profile", "set", "--lead", "birthday", env=UNLOCK).code == 2
    assert run_cli("remind", "--lead", "400", env=UNLOCK).code == 2


def test_leads_resolve_in_order():
    sam, kim = Person("Sam", lead_days=[10]), Person("Kim")
    settings = {"lead_days": {"birthday": [21, 0], "*": [5], "bad": "x"}}
    leads = Leads(settings, [sam, kim])
    own = Occasion("birthday", 1, 1, person_id=sam.id, lead_days=[2])
    assert leads.of(own) == (2,) and leads.source(own) == "occasion"
    assert leads.of(Occasion("birthday", 1, 1, person_id=sam.id)) == (10,)
    assert leads.of(Occasion("birthday", 1, 1, person_id=kim.id)) == (21, 0)
    assert leads.of(Occasion("nameday", 1, 1, person_id=kim.id)) == (5,)
    assert leads.of(Occasion("bad", 1, 1)) == (5,)  # an unusable setting is ignored
    assert Leads().of(Occasion("birthday", 1, 1)) == DEFAULT_LEAD_DAYS
    assert Leads(settings, [sam], override=1).of(own) == (1,)
    # People not read yet: the widest lead, so remind's first pass keeps every candidate.
    assert Leads(settings, None).of(Occasion("birthday", 1, 1, person_id=kim.id)) == (366,)
    assert Leads().of(Occasion("x", 1, 1, lead_days=[])) == ()  # on the day only


def test_install_timer_prints_units_and_a_cron_line(tmp_path):
    result = run_main("remind", "--install-timer", "--vault", str(tmp_path / "v.sqlite3"),
                      "--exec", "notify-send %s $HOME")  # fmt: skip
    assert result.code == 0, result.err
    out = result.out
    assert "[Timer]\nOnCalendar=*-*-* 09:00\n" in out and "Persistent=true" in out
    assert "WantedBy=timers.target" in out and "SuccessExitStatus=1" in out
    [exec_start] = [line for line in out.splitlines() if line.startswith("ExecStart=")]
    # systemd would expand %s and $HOME itself: doubled, they reach the hook as written.
    assert exec_start.endswith(f'remind --quiet --vault {tmp_path / "v.sqlite3"} '
                               '--exec "notify-send %%s $$HOME"')
    [cron] = [line for line in out.splitlines() if line.startswith("0 9 * * * ")]
    assert "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/" in cron
    assert cron.endswith("--exec 'notify-send \\%s $HOME'")  # cron reads % as a newline
    assert "systemctl --user enable --now profilekeeper-remind.timer" in out
    assert not (tmp_path / "systemd").exists()
    alone = run_main("remind", "--yes")
    assert (alone.code, alone.err) == (2, "profilekeeper: --yes goes with --install-timer\n")


def test_install_timer_yes_writes_under_xdg_config_home(tmp_path):
    config = tmp_path / "config"
    result = run_main("remind", "--install-timer", "--yes", env={"XDG_CONFIG_HOME": str(config)})
    assert result.code == 0, result.err
    units = config / "systemd" / "user"
    service = (units / "profilekeeper-remind.service").read_text()
    timer = (units / "profilekeeper-remind.timer").read_text()
    assert "Type=oneshot" in service and "remind --quiet" in service
    assert "OnCalendar=*-*-* 09:00" in timer
    assert f"Wrote {units / 'profilekeeper-remind.timer'}" in result.out
    assert "systemctl --user daemon-reload && systemctl --user enable --now " \
           "profilekeeper-remind.timer" in result.out
