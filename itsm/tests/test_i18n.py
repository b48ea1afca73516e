"""Simplified Chinese is a first-class language: pages render in it and its catalogue is complete.

The catalogue checks read ``locale/zh_Hans/LC_MESSAGES/django.po`` directly (no polib), compare the
committed ``.mo`` with it, and re-extract the strings of the source into a scratch copy, so a new string
that nobody translated (or a catalogue nobody regenerated) fails CI. Regenerate with ``make messages``.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from itsm.choices import Area, Role

ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"
# The same ignores as the documented makemessages command (Makefile ``messages`` target).
MAKEMESSAGES_IGNORE = [".venv", "var", "bench", "tests"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(text: str) -> tuple[dict[str, str], list[Entry]]:
    """The header fields and the entries of a .po file (obsolete ``#~`` entries are skipped)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    flags: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line)
        if match:
            keyword, index = match.group(1), int(match.group(2) or 0)
            starts_entry = keyword == "msgctxt" or (
                keyword == "msgid" and (target is None or target[0] != "msgctxt")
            )
            if starts_entry:
                entry = Entry(flags=flags, line=number)
                entries.append(entry)
                flags = set()
            assert entry is not None, f"line {number}: {keyword} outside an entry"
            target = (keyword, index)
            _append(entry, target, ast.literal_eval(match.group(3)), reset=True)
        elif line.startswith('"') and entry is not None and target is not None:
            _append(entry, target, ast.literal_eval(line), reset=False)
        else:
            raise AssertionError(f"Cannot parse line {number} of the catalogue: {raw!r}")
    header_entries = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header_entries) == 1, "The catalogue needs exactly one header entry."
    header = {
        k.strip(): v.strip()
        for k, v in (
            row.split(":", 1) for row in header_entries[0].msgstr.get(0, "").splitlines() if ":" in row
        )
    }
    return header, [e for e in entries if e is not header_entries[0]]


def _append(entry: Entry, target: tuple[str, int], value: str, *, reset: bool) -> None:
    keyword, index = target
    if keyword == "msgstr":
        entry.msgstr[index] = value if reset else entry.msgstr.get(index, "") + value
    elif keyword == "msgid":
        entry.msgid = value if reset else entry.msgid + value
    elif keyword == "msgid_plural":
        entry.msgid_plural = value if reset else (entry.msgid_plural or "") + value
    else:
        entry.msgctxt = value if reset else (entry.msgctxt or "") + value


def problems_of(entries: list[Entry]) -> list[str]:
    problems = []
    for entry in entries:
        if "fuzzy" in entry.flags:
            problems.append(f"{entry} is fuzzy")
        if sorted(entry.msgstr) != [0]:
            problems.append(f"{entry} must have exactly one msgstr (zh: nplurals=1, msgstr[0])")
        if not entry.msgstr or not all(s.strip() for s in entry.msgstr.values()):
            problems.append(f"{entry} has no translation")
            continue
        source = PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or ""))
        for translated in entry.msgstr.values():
            if set(PLACEHOLDER.findall(translated)) != set(source):
                problems.append(f"{entry} changes its placeholders: {translated!r}")
    return problems


@pytest.fixture(scope="module")
def catalogue() -> tuple[dict[str, str], list[Entry]]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


# Pages ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_by_accept_language_and_by_cookie(client: Client) -> None:
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert '<html lang="zh-hans"' in page
    assert "登录 ITSM" in page
    assert "Sign in" not in page

    cookie_client = Client()
    cookie_client.cookies["django_language"] = "zh-hans"
    page = cookie_client.get("/login/").content.decode()
    assert "登录 ITSM" in page
    assert "Sign in" not in page

    english = Client().get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in to the ITSM" in english


def test_the_agents_dashboard_in_chinese_shows_translated_navigation_and_role(
    client: Client, demo: dict[str, Any]
) -> None:
    agent = demo["agent"]
    agent.language = "zh-hans"
    agent.save(update_fields=["language"])
    client.force_login(agent)
    page = client.get("/dashboard/").content.decode()
    assert '<html lang="zh-hans"' in page
    for label in ("仪表板", "人员与团队", "团队", "我的工作", "服务管理目标", "偏好设置", "退出登录"):
        assert label in page, label
    roles = page.split('data-testid="roles">', 1)[1].split("</div>", 1)[0]
    assert "服务台坐席" in roles
    for english in ("Service desk agent", "Dashboard", "People and teams", "Your work", "Sign out"):
        assert english not in page, english


def test_every_role_and_area_has_a_chinese_label() -> None:
    choices = [*Role, *Area]
    with translation.override("en"):
        english = [str(c.label) for c in choices]
    with translation.override("zh-hans"):
        chinese = [str(c.label) for c in choices]
        assert Role.SERVICE_DESK_AGENT.label == "服务台坐席"
        assert Role.CAB_MEMBER.label == "变更咨询委员会成员"
        assert Role.MANAGEMENT_REPRESENTATIVE.label == "管理者代表"
        assert Role.TOP_MANAGEMENT.label == "最高管理者"
        assert Role.INTERNAL_AUDITOR.label == "内部审核员"
        assert Area.INCIDENTS.label == "事件"
    assert [en for en, zh in zip(english, chinese, strict=True) if en == zh] == []


# Catalogue -----------------------------------------------------------------------------------------


def test_the_catalogue_header_is_for_simplified_chinese(
    catalogue: tuple[dict[str, str], list[Entry]],
) -> None:
    header, _entries = catalogue
    assert header["Language"] == "zh_Hans"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert header["Plural-Forms"] == "nplurals=1; plural=0;"


def test_every_message_is_translated_and_none_is_fuzzy(catalogue: tuple[dict[str, str], list[Entry]]) -> None:
    _header, entries = catalogue
    assert len(entries) > 100
    assert problems_of(entries) == []


def test_the_committed_mo_file_matches_the_po_file(catalogue: tuple[dict[str, str], list[Entry]]) -> None:
    _header, entries = catalogue
    assert MO_FILE.exists(), "Run: manage.py compilemessages --ignore=.venv"
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries:
        if entry.msgid_plural is not None:
            got = [compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            if entry.msgctxt is not None:
                got = [compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
            if got != [entry.msgstr[0]] * 2:
                stale.append(str(entry))
        else:
            text = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else compiled.gettext(entry.msgid)
            )
            if text != entry.msgstr[0]:
                stale.append(str(entry))
    assert stale == [], "The .mo is older than the .po; run: manage.py compilemessages --ignore=.venv"


def _copy_sources(destination: Path) -> None:
    """The files makemessages reads (.py, .html, .txt), without the ignored directories."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name in MAKEMESSAGES_IGNORE or name.startswith(".") or name in ("locale", "__pycache__"):
                    skipped.add(name)
            elif path.suffix not in (".py", ".html", ".txt"):
                skipped.add(name)
        return skipped

    shutil.copytree(ROOT, destination, ignore=ignore)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed")
def test_the_catalogue_has_every_string_of_the_source(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A string marked for translation but missing from the catalogue (or left untranslated) fails."""
    scratch = tmp_path / "src"
    _copy_sources(scratch)
    locale_dir = scratch / "locale"
    (locale_dir / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO_FILE, locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po")
    settings.LOCALE_PATHS = [locale_dir]
    monkeypatch.chdir(scratch)
    call_command(
        "makemessages", locale=["zh_Hans"], no_obsolete=True, ignore_patterns=MAKEMESSAGES_IGNORE, verbosity=0
    )

    _header, committed = parse_po(PO_FILE.read_text(encoding="utf-8"))
    _header, extracted = parse_po(
        (locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    )
    committed_keys = {e.key for e in committed}
    extracted_keys = {e.key for e in extracted}
    hint = "run `make messages` (makemessages -l zh_Hans), translate the new entries, then compilemessages"
    assert sorted(k[1] for k in extracted_keys - committed_keys) == [], f"New strings: {hint}"
    assert sorted(k[1] for k in committed_keys - extracted_keys) == [], f"Strings no longer used: {hint}"
    assert problems_of(extracted) == []
