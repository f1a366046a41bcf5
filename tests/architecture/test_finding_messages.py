"""A finding's message is text for people: code passes it on, it never reads a decision from it.

Findings carry structured ``data`` (and a rule id) for code; deciding something by searching a message (a
regular expression, ``in``, ``==``, ``startswith``) breaks silently when the wording changes (issue 10 item 3:
the simulation decided kidney status by matching regular expressions against plan finding messages).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "baclofen"

#: Calls that read text: a message as their argument (or receiver) is being inspected.
_INSPECTING_CALLS = {
    "search",
    "match",
    "fullmatch",
    "findall",
    "finditer",
    "sub",
    "split",
    "startswith",
    "endswith",
    "find",
    "index",
    "count",
    "lower",
    "upper",
    "casefold",
    "strip",
    "describes_kidney_disease",
    "parse_condition",
}


def _reads_message(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr == "message":
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == "message":
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == "message"
    )


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


#: Nodes that only build text from the message (an f-string, a concatenation, ``str()``).
_TEXT_BUILDING = (ast.JoinedStr, ast.FormattedValue, ast.BinOp)


def _inspections(tree: ast.AST, *, decisions: bool = True) -> list[tuple[int, str]]:
    """Where ``tree`` inspects a message: compares it, searches it, tests it, or (``decisions``: domain and
    services code) keeps text made from it in a local name, the first step to inspecting it."""
    parents: dict[ast.AST, ast.AST] = {}
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
    found = []
    for node in ast.walk(tree):
        if not _reads_message(node):
            continue
        child, parent = node, parents.get(node)
        only_text = True
        while parent is not None and not isinstance(parent, ast.stmt):
            if isinstance(parent, (ast.Compare, ast.BoolOp)) or (
                isinstance(parent, ast.Call) and _call_name(parent) in _INSPECTING_CALLS
            ):
                found.append((node.lineno, "searched or compared"))
                break
            if (isinstance(parent, ast.IfExp) and child is parent.test) or (
                isinstance(parent, ast.comprehension) and child in parent.ifs
            ):
                found.append((node.lineno, "tested"))
                break
            if not (
                isinstance(parent, _TEXT_BUILDING) or (isinstance(parent, ast.Call) and _call_name(parent) == "str")
            ):
                only_text = False
            child, parent = parent, parents.get(parent)
        else:
            if isinstance(parent, (ast.If, ast.While, ast.Assert)) and child is parent.test:
                found.append((node.lineno, "tested"))
            elif decisions and only_text and isinstance(parent, (ast.Assign, ast.AnnAssign)):
                found.append((node.lineno, "kept in a local name"))
    return found


def test_no_code_inspects_a_message() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        decisions = path.relative_to(SRC).parts[0] in ("domain", "services")
        for line, how in _inspections(ast.parse(path.read_text(encoding="utf-8")), decisions=decisions):
            offenders.append(f"{path.relative_to(SRC)}:{line} ({how})")

    assert offenders == [], "read the finding's data or rule id instead:\n" + "\n".join(offenders)


def test_the_check_sees_a_message_being_inspected() -> None:
    bad = [
        "def f(x):\n    return bool(PATTERN.search(str(x.get('message', ''))))\n",
        "def f(x):\n    return 'CKD' in x.message\n",
        "def f(x):\n    text = f\"{x['rule_id']} {x.get('message', '')}\"\n    return g(text)\n",
        "def f(xs):\n    return [x for x in xs if x.message.startswith('Kidney')]\n",
    ]
    good = [
        "def f(x):\n    return {'message': x.message}\n",
        "def f(x):\n    return R.finding(f\"{x.message} - out of scope\", reasoning='r')\n",
        "def f(xs):\n    return {'reasons': [x.message for x in xs if x.is_blocking]}\n",
        "def f(x):\n    body = {'m': x.message}\n    return body\n",
    ]

    assert all(_inspections(ast.parse(src)) for src in bad)
    assert not any(_inspections(ast.parse(src)) for src in good)
