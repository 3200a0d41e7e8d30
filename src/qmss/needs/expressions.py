"""The small safe expression language of validation rules and indicator formulas (data in the libraries).

Grammar (a subset of Python expressions, parsed with :mod:`ast` and checked against a whitelist)::

    users                      the total of element ``users`` (its "" value, else the sum of its categories)
    refused["capacity"]        one category of a disaggregated element
    12.5, 0                    numbers
    a + b, a - b, a * b, a / b, -a, (a)
    a <= b, a < b < c, a == b, a != b
    x and y, x or y, not x
    nz(a)                      a missing value counts as 0

A missing value makes arithmetic and comparisons "unknown" (``None``): a rule whose result is unknown is not
applied (another rule asks for required values), and a division by zero gives ``None`` (shown as "–").
Expressions are bounded (length, node count) and never executed as Python.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from functools import lru_cache

MAX_LENGTH = 500
MAX_NODES = 120
FUNCTIONS = frozenset({"nz"})

Values = Mapping[str, Mapping[str, Decimal]]


class ExpressionError(ValueError):
    """The expression is not in the language; the message is a Czech sentence."""


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.Expression
    names: frozenset[str]
    categories: frozenset[tuple[str, str]]


_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Name,
    ast.Constant,
    ast.Subscript,
    ast.Call,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Eq,
    ast.NotEq,
)


@lru_cache(maxsize=2048)
def parse(text: str) -> Expression:
    """Parse and check an expression; raises :class:`ExpressionError` with a Czech message."""
    from django.utils.translation import gettext as _

    text = (text or "").strip()
    if not text:
        raise ExpressionError(_("The expression is empty."))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(_("The expression is longer than {max} characters.").format(max=MAX_LENGTH))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(_("The expression is not valid: {error}.").format(error=exc.msg)) from exc
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(_("The expression is too long (at most {max} parts).").format(max=MAX_NODES))
    names: set[str] = set()
    categories: set[tuple[str, str]] = set()
    for node in nodes:
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                _("The expression uses “{part}”, which is not allowed.").format(part=type(node).__name__)
            )
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float | str)
        ):
            raise ExpressionError(_("Only numbers and category names in quotes may be written literally."))
        if isinstance(node, ast.Call) and not _allowed_call(node):
            raise ExpressionError(_("Only the function nz(x) with one argument is allowed."))
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name) or not (
                isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
            ):
                raise ExpressionError(_('A category is written as element["category"].'))
            categories.add((node.value.id, node.slice.value))
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS:
            names.add(node.id)
    for node in nodes:  # strings only as categories
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and not any(isinstance(parent, ast.Subscript) and parent.slice is node for parent in nodes):
            raise ExpressionError(_('Text in quotes may only name a category: element["category"].'))
    return Expression(text=text, tree=tree, names=frozenset(names), categories=frozenset(categories))


def _allowed_call(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and len(node.args) == 1 and not node.keywords


def total(values: Values, code: str) -> Decimal | None:
    """The total of an element: its "" value, else the sum of its categories, else None (not entered)."""
    cells = values.get(code)
    if not cells:
        return None
    if "" in cells:
        return cells[""]
    present = [v for v in cells.values() if v is not None]
    return sum(present, Decimal(0)) if present else None


def evaluate(expression: Expression | str, values: Values):
    """The value of an expression over ``values`` (element code → category → value): a Decimal, a bool, or None
    when something it needs is missing (or a division by zero)."""
    if isinstance(expression, str):
        expression = parse(expression)
    return _eval(expression.tree.body, values)


def _num(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None if value is None else Decimal(int(value))
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _eval(node: ast.AST, values: Values):  # noqa: C901 – one branch per node type
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        return total(values, node.id)
    if isinstance(node, ast.Subscript):
        return (values.get(node.value.id) or {}).get(node.slice.value)
    if isinstance(node, ast.Call):  # nz(x)
        value = _eval(node.args[0], values)
        return Decimal(0) if value is None else value
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        if isinstance(node.op, ast.Not):
            return None if operand is None else not operand
        operand = _num(operand)
        if operand is None:
            return None
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _num(_eval(node.left, values)), _num(_eval(node.right, values))
        if left is None or right is None:
            return None
        try:
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if right == 0:
                return None
            return left / right
        except (InvalidOperation, DivisionByZero):
            return None
    if isinstance(node, ast.BoolOp):
        results = [_eval(value, values) for value in node.values]
        if isinstance(node.op, ast.And):
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if isinstance(node, ast.Compare):
        left = _num(_eval(node.left, values))
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _num(_eval(comparator, values))
            if left is None or right is None:
                return None
            ok = {
                ast.Lt: left < right,
                ast.LtE: left <= right,
                ast.Gt: left > right,
                ast.GtE: left >= right,
                ast.Eq: left == right,
                ast.NotEq: left != right,
            }[type(op)]
            if not ok:
                return False
            left = right
        return True
    raise ExpressionError(type(node).__name__)  # unreachable after parse()


# --- compiled evaluation (the same semantics as evaluate(), for many submissions) ------------------------------

Compiled = Callable[[Values], object]


def compiled(expression: Expression | str) -> Compiled:
    """The expression as a Python closure over ``values``: ``compiled(e)(values) == evaluate(e, values)`` always
    (the same rules: missing → None, division by zero → None, ``nz``), without walking the tree again for each
    submission. Closures are made from the checked tree only (never ``exec``); cached by the expression's text."""
    text = expression.text if isinstance(expression, Expression) else (expression or "").strip()
    return _compiled(text)


@lru_cache(maxsize=2048)
def _compiled(text: str) -> Compiled:
    return _closure(parse(text).tree.body)


_ZERO = Decimal(0)
_COMPARE = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


def _closure(node: ast.AST) -> Compiled:  # noqa: C901 – one branch per node type, as _eval
    if isinstance(node, ast.Constant):
        constant = Decimal(str(node.value))
        return lambda values: constant
    if isinstance(node, ast.Name):
        code = node.id
        return lambda values: total(values, code)
    if isinstance(node, ast.Subscript):
        code, category = node.value.id, node.slice.value
        return lambda values: (values.get(code) or {}).get(category)
    if isinstance(node, ast.Call):  # nz(x)
        inner = _closure(node.args[0])

        def nz(values):
            value = inner(values)
            return _ZERO if value is None else value

        return nz
    if isinstance(node, ast.UnaryOp):
        return _unary(node)
    if isinstance(node, ast.BinOp):
        return _binary(node)
    if isinstance(node, ast.BoolOp):
        return _boolean(node)
    if isinstance(node, ast.Compare):
        return _compare(node)
    raise ExpressionError(type(node).__name__)  # unreachable after parse()


def _unary(node: ast.UnaryOp) -> Compiled:
    operand = _closure(node.operand)
    if isinstance(node.op, ast.Not):

        def negation(values):
            value = operand(values)
            return None if value is None else not value

        return negation
    minus = isinstance(node.op, ast.USub)

    def sign(values):
        value = _num(operand(values))
        if value is None:
            return None
        return -value if minus else value

    return sign


def _binary(node: ast.BinOp) -> Compiled:
    left, right = _closure(node.left), _closure(node.right)
    op = type(node.op)

    def binary(values):
        a, b = left(values), right(values)
        if a is None or b is None:
            return None
        if a.__class__ is not Decimal:
            a = _num(a)
        if b.__class__ is not Decimal:
            b = _num(b)
        try:
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            if b == 0:
                return None
            return a / b
        except (InvalidOperation, DivisionByZero):
            return None

    return binary


def _boolean(node: ast.BoolOp) -> Compiled:
    parts = tuple(_closure(value) for value in node.values)
    conjunction = isinstance(node.op, ast.And)

    def boolean(values):
        results = [part(values) for part in parts]  # all of them, as _eval
        if conjunction:
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False

    return boolean


def _compare(node: ast.Compare) -> Compiled:
    first = _closure(node.left)
    steps = tuple(
        (_COMPARE[type(op)], _closure(comparator)) for op, comparator in zip(node.ops, node.comparators, strict=True)
    )

    def compare(values):
        left = _num(first(values))
        for test, comparator in steps:
            right = _num(comparator(values))
            if left is None or right is None:
                return None
            if not test(left, right):
                return False
            left = right
        return True

    return compare
