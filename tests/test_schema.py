"""The sheet contract: headers and words are unambiguous, and sheets_schema.md documents them all."""

from __future__ import annotations

from pathlib import Path

from touchsheet.schema import TABS, WORDS, column_keys, norm, tab_keys

ROOT = Path(__file__).resolve().parent.parent


def test_no_two_columns_of_a_tab_share_a_header():
    for tab in TABS:
        seen: dict[str, str] = {}
        for column in tab.columns:
            for key in column_keys(column):
                assert key not in seen, f"{tab.name}: '{key}' names both {seen[key]} and {column.name}"
                seen[key] = column.name


def test_no_two_tabs_share_a_name():
    seen: set[str] = set()
    for tab in TABS:
        assert not (tab_keys(tab) & seen)
        seen |= tab_keys(tab)


def test_no_word_means_two_values():
    for kind, table in WORDS.items():
        seen: dict[str, object] = {}
        for value, words in table.items():
            for word in words:
                assert seen.setdefault(norm(word), value) is value, f"{kind.__name__}: '{word}'"


def test_norm_ignores_case_spaces_and_yo():
    assert norm("  Created  At ") == "createdat" == norm("created_at")
    assert norm("Счёт") == norm("счет")
    assert norm("Created-At.") == "createdat"
    assert norm("e-mail") == norm("E.mail") == "email"


def test_sheets_schema_md_documents_every_tab_and_column():
    text = (ROOT / "sheets_schema.md").read_text(encoding="utf-8")
    for tab in TABS:
        assert f"## {tab.name}" in text
        for column in tab.columns:
            assert f"| {column.name} | {column.ru} |" in text, column.name


def test_sheets_schema_md_lists_every_alias_and_every_word_people_may_type():
    text = (ROOT / "sheets_schema.md").read_text(encoding="utf-8").casefold()
    for tab in TABS:
        for alias in (*tab.aliases, *(a for c in tab.columns for a in c.aliases)):
            assert f"`{alias}`".casefold() in text, (tab.name, alias)
    for table in WORDS.values():
        for words in table.values():
            for word in words:
                assert f"`{word}`".casefold() in text, word
    assert "hyphens, dots" in text and all(f"`{w}`" in text for w in ("да", "истина", "нет", "ложь", "✓", "-"))
