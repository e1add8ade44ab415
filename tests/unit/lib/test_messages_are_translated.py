"""Every message a service can give has a Japanese text, and no raise site gives English that is not a msgid.

The source of foodbank/ is read (no database, nothing runs): each `Message("...")` and `N_("...")` must be
translated in ja/messages.po; each construction of an AppError, each marshmallow ValidationError, each
`{"message": ...}` of a field error or warning and each validator's `error=` must take a Message (or an
N_ msgid, or a name holding one), never a string literal, an f-string or text glued together.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import foodbank
from foodbank.lib.errors import AppError
from foodbank.lib.messages import Label, Message
from foodbank.pages import i18n

SOURCE = Path(foodbank.__file__).resolve().parent
MARKERS = {"Message", "N_"}


def _error_names() -> set[str]:
    for module in pkgutil.walk_packages(foodbank.__path__, "foodbank."):
        if not module.name.endswith("__main__"):  # that one runs the command line
            importlib.import_module(module.name)
    names: set[str] = set()
    pending: list[type] = [AppError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names | {"ValidationError"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_text(node: ast.expr) -> bool:
    """English built in place: a literal, an f-string, text glued with + or %, or joined/formatted."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left) or _is_text(node.right)
    if isinstance(node, ast.IfExp):
        return _is_text(node.body) or _is_text(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in {"join", "format"} and _is_text(node.func.value)
    return False


def _texts_inside(node: ast.expr) -> list[ast.expr]:
    """Text in a marshmallow error argument: itself, or the strings in its dicts and lists."""
    if isinstance(node, ast.Dict):
        return [text for value in node.values if value is not None for text in _texts_inside(value)]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [text for element in node.elts for text in _texts_inside(element)]
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        return _texts_inside(node.elt)
    if isinstance(node, ast.DictComp):
        return _texts_inside(node.value)
    return [node] if _is_text(node) else []


def check_source(source: str, where: str, error_names: set[str]) -> tuple[list[str], set[str]]:
    """(problems, msgids) of one module."""
    problems: list[str] = []
    msgids: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            first = node.args[0] if node.args else None
            if called in MARKERS and first is not None:
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    msgids.add(first.value)
                elif _is_text(first):
                    problems.append(f"{where}:{node.lineno}: {called}() of text built in place, not a msgid")
            elif called in error_names:
                given = [first] if first is not None else []
                given += [k.value for k in node.keywords if k.arg in {"detail", "message"}]
                for argument in given:
                    for text in _texts_inside(argument):
                        problems.append(f"{where}:{text.lineno}: {called}() given English, not a Message")
            for keyword in node.keywords:
                if keyword.arg == "error" and _is_text(keyword.value):
                    problems.append(f"{where}:{node.lineno}: error= is English, not an N_ msgid")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "message" and _is_text(value):
                    problems.append(f"{where}:{value.lineno}: a field error's message is English, not a Message")
    return problems, msgids


@pytest.fixture(scope="module")
def error_names() -> set[str]:
    return _error_names()


def _japanese() -> dict[str, str]:
    with (i18n.LOCALE_DIR / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="ja")
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): (m.string if isinstance(m.string, str) else m.string[0])
        for m in catalog
        if m.id and not m.fuzzy
    }


def test_every_message_of_foodbank_is_a_msgid_with_a_japanese_text(error_names: set[str]) -> None:
    japanese = _japanese()
    problems: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        where = str(path.relative_to(SOURCE.parent))
        found, msgids = check_source(path.read_text(encoding="utf-8"), where, error_names)
        problems += found
        problems += [f"{where}: no Japanese text for {msgid!r}" for msgid in sorted(msgids) if not japanese.get(msgid)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        'raise Conflict("some new english")',
        'raise LotNotFound(f"There is no lot with id {lot_id}.")',
        'raise InvalidInput("Unknown: " + ", ".join(codes), errors=[])',
        'raise InvalidInput(Message("Fine."), errors=[{"field": "x", "message": f"bad {x}"}])',
        'raise ValidationError("Give either this or that.", field_name="x")',
        'raise ValidationError({k: ["Required."] for k in missing})',
        'validate.Regexp(r"^[0-9]+$", error="Digits only.")',
        'Message(f"There is no lot {lot_id}.")',
    ],
)
def test_english_where_a_message_belongs_is_found(source: str, error_names: set[str]) -> None:
    problems, _ = check_source(source, "example.py", error_names)
    assert problems, source


@pytest.mark.parametrize(
    "source",
    [
        'raise Conflict(Message("The lot is not on hold."))',
        'raise LotNotFound(Message("There is no lot with id %(id)s.", id=lot_id))',
        "raise InvalidInput(detail, errors=self.items)",
        'raise ValidationError(Message("Give either this or that."), field_name="x")',
        'raise ValidationError(N_("Choose an item."), "item_id")',
        'validate.Regexp(r"^[0-9]+$", error=N_("Digits only."))',
    ],
)
def test_messages_pass(source: str, error_names: set[str]) -> None:
    assert check_source(source, "example.py", error_names)[0] == []


def test_a_new_msgid_without_japanese_is_found() -> None:
    _, msgids = check_source('raise Conflict(Message("Some new english."))', "example.py", {"Conflict"})
    assert msgids == {"Some new english."} and not _japanese().get("Some new english.")


def test_a_message_is_its_english_text_and_carries_its_id_and_params() -> None:
    message = Message(
        "%(item)s is %(item_zone)s stock; location %(location)s is %(location_zone)s.",
        item="さば缶",
        item_zone=Label("zone", "ambient"),
        location="C-01",
        location_zone=Label("zone", "chilled"),
    )
    assert message == "さば缶 is ambient stock; location C-01 is chilled."
    assert message.as_json() == {
        "message_id": "%(item)s is %(item_zone)s stock; location %(location)s is %(location_zone)s.",
        "params": {"item": "さば缶", "item_zone": "ambient", "location": "C-01", "location_zone": "chilled"},
    }
    assert i18n.Translator("ja").message(message) == "さば缶 は常温の品目ですが、保管場所 C-01 は冷蔵です。"
    assert i18n.Translator("ja").message("Missing data for required field.") == "入力してください。"
