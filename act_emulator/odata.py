"""OData query options as ASP.NET Web API (OData) over SQL Server evaluates them: a real parser, no eval.

`$filter` text -> tokens -> recursive-descent AST -> a tree of typed comparison nodes compiled against the record's
Swagger model (so unknown properties and ill-typed literals are 400s, as in ASP.NET). The compiled tree is kept
inspectable (`CmpNode.keys/op/domain/value`) so the store can recognise keyset conditions and serve them from its
sorted index; anything else is evaluated per record with SQL semantics: three-valued logic for NULL, case-insensitive
strings, timestamps as 100 ns ticks, GUIDs in SQL Server `uniqueidentifier` order, NULL first when sorting ascending.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import modelinfo
from .dotnet_time import parse_ticks
from .sqlorder import guid_sort_key, try_guid_sort_key

INVALID_QUERY = "The query specified in the URI is not valid. "


class ODataError(ValueError):
    """A malformed query: becomes a 400 whose Message starts with INVALID_QUERY and names the problem."""


# ----------------------------------------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class Token:
    kind: str  # lparen rparen comma string prefixed guid datetime number ident eof
    text: str
    pos: int


_TOKEN_PATTERNS = [
    ("ws", re.compile(r"\s+")),
    ("string", re.compile(r"'(?:[^']|'')*'")),
    ("prefixed", re.compile(r"(?i:datetimeoffset|datetime|guid)'(?:[^']|'')*'")),
    (  # bare, or braced as .NET writes Guid.ToString("B")
        "guid",
        re.compile(
            r"(?:\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}"
            r"|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})(?![\w-])"
        ),
    ),
    (
        "datetime",
        re.compile(r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?(?![\w:.+-])"),
    ),
    ("number", re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[LlMmDdFf]?(?![\w.])")),
    ("ident", re.compile(r"[A-Za-z_][\w]*(?:/[A-Za-z_][\w]*)*")),
    ("lparen", re.compile(r"\(")),
    ("rparen", re.compile(r"\)")),
    ("comma", re.compile(r",")),
]


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        for kind, pattern in _TOKEN_PATTERNS:
            match = pattern.match(text, pos)
            if match:
                if kind != "ws":
                    tokens.append(Token(kind, match.group(), pos))
                pos = match.end()
                break
        else:
            if text[pos] == "'" or text[pos:].lower().startswith(("datetime'", "guid'")):
                raise ODataError(f"There is an unterminated string literal at position {pos} in '{text}'.")
            hint = ""
            if re.search(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)? \d{2}:\d{2}", text):
                hint = " (a '+' in a URL query means a space: send a +hh:mm offset as %2B)"
            raise ODataError(f"Syntax error: character '{text[pos]}' is not valid at position {pos} in '{text}'.{hint}")
    tokens.append(Token("eof", "", len(text)))
    return tokens


# ---------------------------------------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Lit:
    kind: str  # string datetime guid int number bool null
    value: Any
    text: str


@dataclass(frozen=True)
class PathRef:
    path: str
    pos: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple
    pos: int


@dataclass(frozen=True)
class Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class BoolOp:
    op: str  # and / or
    left: Any
    right: Any


@dataclass(frozen=True)
class Not:
    operand: Any


COMPARISON_OPS = ("eq", "ne", "gt", "ge", "lt", "le")
KEYWORDS = COMPARISON_OPS + ("and", "or", "not")
OP_NAMES = {
    "eq": "Equal",
    "ne": "NotEqual",
    "gt": "GreaterThan",
    "ge": "GreaterThanOrEqual",
    "lt": "LessThan",
    "le": "LessThanOrEqual",
}
FUNCTIONS = {
    "contains": 2,
    "startswith": 2,
    "endswith": 2,
    "substringof": 2,
    "tolower": 1,
    "toupper": 1,
    "trim": 1,
    "length": 1,
}


def _unquote(text: str) -> str:
    return text[1:-1].replace("''", "'")


def parse_literal(token: Token) -> Lit:
    """A literal token as a typed value; bad dates and GUIDs are 400s naming the literal."""
    text = token.text
    if token.kind == "string":
        return Lit("string", _unquote(text), text)
    if token.kind == "prefixed":
        prefix, _, rest = text.partition("'")
        inner = rest[:-1].replace("''", "'")
        if prefix.lower() == "guid":
            return _guid_literal(inner, text)
        return _datetime_literal(inner, text)
    if token.kind == "guid":
        return _guid_literal(text, text)
    if token.kind == "datetime":
        return _datetime_literal(text, text)
    if token.kind == "number":
        body = text.rstrip("LlMmDdFf")
        if re.fullmatch(r"-?\d+", body) and text[-1:] not in "MmDdFf":
            return Lit("int", int(body), text)
        return Lit("number", float(body), text)
    raise ODataError(f"'{text}' is not a literal.")


def _guid_literal(inner: str, text: str) -> Lit:
    try:
        guid_sort_key(inner)
    except ValueError:
        raise ODataError(f"The literal {text} is not a valid Edm.Guid value.") from None
    return Lit("guid", inner.strip("{}").lower(), text)


def _datetime_literal(inner: str, text: str) -> Lit:
    try:
        return Lit("datetime", parse_ticks(inner), text)
    except ValueError:
        raise ODataError(
            f"The literal '{text}' is not a valid Edm.DateTimeOffset value "
            "(expected yyyy-mm-ddThh:mm:ss[.fffffff](Z|+hh:mm))."
        ) from None


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "ident" and token.text.lower() in words

    def parse(self):
        node = self.parse_or()
        token = self.peek()
        if token.kind == "rparen":
            raise ODataError(f"Unbalanced parenthesis: unexpected ')' at position {token.pos} in '{self.text}'.")
        if token.kind != "eof":
            raise ODataError(f"Syntax error at position {token.pos} in '{self.text}': unexpected '{token.text}'.")
        return node

    def parse_or(self):
        node = self.parse_and()
        while self.is_word("or"):
            self.take()
            node = BoolOp("or", node, self.parse_and())
        return node

    def parse_and(self):
        node = self.parse_not()
        while self.is_word("and"):
            self.take()
            node = BoolOp("and", node, self.parse_not())
        return node

    def parse_not(self):
        if self.is_word("not"):
            self.take()
            return Not(self.parse_not())
        return self.parse_comparison()

    def parse_comparison(self):
        left = self.parse_primary()
        if self.is_word(*COMPARISON_OPS):
            op = self.take().text.lower()
            return Compare(op, left, self.parse_primary())
        return left

    def parse_primary(self):
        token = self.take()
        if token.kind == "lparen":
            node = self.parse_or()
            closing = self.take()
            if closing.kind != "rparen":
                raise ODataError(f"Unbalanced parenthesis: ')' expected at position {closing.pos} in '{self.text}'.")
            return node
        if token.kind in ("string", "prefixed", "guid", "datetime", "number"):
            return parse_literal(token)
        if token.kind == "ident":
            word = token.text.lower()
            if word == "null":
                return Lit("null", None, token.text)
            if word in ("true", "false"):
                return Lit("bool", word == "true", token.text)
            if word in KEYWORDS:
                raise ODataError(
                    f"Syntax error at position {token.pos} in '{self.text}': "
                    f"'{token.text}' where an operand was expected."
                )
            if self.peek().kind == "lparen":
                return self.parse_call(token)
            return PathRef(token.text, token.pos)
        if token.kind == "eof":
            raise ODataError(f"Syntax error: expression expected at the end of '{self.text}'.")
        if token.kind == "rparen":
            raise ODataError(f"Unbalanced parenthesis: unexpected ')' at position {token.pos} in '{self.text}'.")
        raise ODataError(f"Syntax error at position {token.pos} in '{self.text}': unexpected '{token.text}'.")

    def parse_call(self, name_token: Token):
        name = name_token.text.lower()
        if name not in FUNCTIONS:
            raise ODataError(f"An unknown function with name '{name_token.text}' was found.")
        self.take()  # (
        args = [self.parse_or()]
        while self.peek().kind == "comma":
            self.take()
            args.append(self.parse_or())
        closing = self.take()
        if closing.kind != "rparen":
            raise ODataError(f"Unbalanced parenthesis: ')' expected at position {closing.pos} in '{self.text}'.")
        if len(args) != FUNCTIONS[name]:
            raise ODataError(f"The function '{name}' takes {FUNCTIONS[name]} argument(s), {len(args)} given.")
        return Call(name, tuple(args), name_token.pos)


def parse_filter(text: str):
    """AST of a `$filter` expression (raises ODataError)."""
    if not text.strip():
        raise ODataError("The $filter query option is empty.")
    return _Parser(text).parse()


# ------------------------------------------------------------------------------------------- typed compilation


def _getter(keys: tuple[str, ...]) -> Callable[[dict], Any]:
    if len(keys) == 1:
        key = keys[0]
        return lambda record: record.get(key)

    def get(record):
        value = record
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return get


def _to_ticks(value):
    if isinstance(value, str):
        try:
            return parse_ticks(value)
        except ValueError:
            return None
    return None


def _to_string(value):
    return value.casefold() if isinstance(value, str) else None


def _to_number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _to_bool(value):
    return value if isinstance(value, bool) else None


CONVERTERS = {
    "datetime": _to_ticks,
    "guid": try_guid_sort_key,
    "string": _to_string,
    "int": _to_number,
    "number": _to_number,
    "bool": _to_bool,
}


@dataclass
class Operand:
    kind: str
    get: Callable[[dict], Any]  # raw value from a record
    keys: tuple | None = None  # property path when the operand is a property
    literal: Lit | None = None  # when the operand is a literal
    edm: str = ""  # type name for messages


class BoolNode:
    """A compiled boolean expression: eval(record) -> True / False / None (SQL unknown)."""

    def eval(self, record: dict) -> bool | None:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class AndNode(BoolNode):
    children: list

    def eval(self, record):
        result = True
        for child in self.children:
            value = child.eval(record)
            if value is False:
                return False
            if value is None:
                result = None
        return result


@dataclass
class OrNode(BoolNode):
    children: list

    def eval(self, record):
        result = False
        for child in self.children:
            value = child.eval(record)
            if value is True:
                return True
            if value is None:
                result = None
        return result


@dataclass
class NotNode(BoolNode):
    child: BoolNode

    def eval(self, record):
        value = self.child.eval(record)
        return None if value is None else not value


@dataclass
class CmpNode(BoolNode):
    """`property op literal` (normalised so the property is on the left) or any other comparison."""

    op: str
    domain: str  # datetime guid string number bool null raw
    keys: tuple | None  # property path when one side is a property and the other a literal
    value: Any  # the literal converted to the domain (ticks, GUID key, casefolded text...)
    fn: Callable[[dict], bool | None] = field(repr=False, default=None)

    def eval(self, record):
        return self.fn(record)


@dataclass
class PredicateNode(BoolNode):
    fn: Callable[[dict], bool | None]

    def eval(self, record):
        return self.fn(record)


_PY_OPS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_FLIP = {"eq": "eq", "ne": "ne", "gt": "lt", "ge": "le", "lt": "gt", "le": "ge"}


class Compiler:
    """Compiles ASTs against one model (a Swagger definition); `id_kind` is the table's id type."""

    def __init__(self, definition: str, id_kind: str = "guid"):
        self.definition = definition
        self.id_kind = id_kind

    def path(self, text: str) -> tuple[tuple[str, ...], str]:
        try:
            return modelinfo.resolve(self.definition, text, self.id_kind)
        except modelinfo.PathError as exc:
            raise ODataError(str(exc)) from None

    def edm(self, kind: str, keys=None) -> str:
        return modelinfo.KINDS_EDM.get(kind, f"{self.definition}/{'/'.join(keys or ())} ({kind})")

    # operands
    def operand(self, node) -> Operand:
        if isinstance(node, Lit):
            value = node.value
            return Operand(node.kind, lambda record: value, literal=node, edm=modelinfo.KINDS_EDM[node.kind])
        if isinstance(node, PathRef):
            keys, kind = self.path(node.path)
            return Operand(kind, _getter(keys), keys=keys, edm=self.edm(kind, keys))
        if isinstance(node, Call):
            return self.call(node)
        return Operand("bool", self.boolean(node).eval, edm="Edm.Boolean")

    def call(self, node: Call) -> Operand:
        args = [self.operand(arg) for arg in node.args]
        for arg in args:
            if arg.kind not in ("string", "guid", "any", "null"):
                raise ODataError(f"The function '{node.name}' requires string arguments, found {arg.edm}.")
        getters = [arg.get for arg in args]
        name = node.name

        def text(record, i):
            value = getters[i](record)
            return value.casefold() if isinstance(value, str) else None

        if name in ("tolower", "toupper", "trim"):
            transform = {"tolower": str.lower, "toupper": str.upper, "trim": str.strip}[name]

            def get(record):
                value = getters[0](record)
                return transform(value) if isinstance(value, str) else None

            return Operand("string", get, edm="Edm.String")
        if name == "length":
            return Operand("int", lambda r: len(v) if isinstance(v := getters[0](r), str) else None, edm="Edm.Int32")
        if name == "substringof":
            getters.reverse()
            name = "contains"
        test = {"contains": lambda a, b: b in a, "startswith": str.startswith, "endswith": str.endswith}[name]

        def predicate(record):
            a, b = text(record, 0), text(record, 1)
            return None if a is None or b is None else test(a, b)

        return Operand("bool", predicate, edm="Edm.Boolean")

    # boolean expressions
    def boolean(self, node) -> BoolNode:
        if isinstance(node, BoolOp):
            cls = AndNode if node.op == "and" else OrNode
            children = []
            for side in (node.left, node.right):
                child = self.boolean(side)
                children.extend(child.children if isinstance(child, cls) else [child])
            return cls(children)
        if isinstance(node, Not):
            return NotNode(self.boolean(node.operand))
        if isinstance(node, Compare):
            return self.compare(node)
        operand = self.operand(node)
        if operand.kind not in ("bool", "any"):
            raise ODataError(f"The $filter expression must evaluate to a single boolean value, found {operand.edm}.")
        get = operand.get
        return PredicateNode(lambda record: _to_bool(get(record)))

    def compare(self, node: Compare) -> CmpNode:
        op = node.op
        left, right = self.operand(node.left), self.operand(node.right)
        if left.literal is not None and right.keys is not None:
            left, right, op = right, left, _FLIP[op]  # property on the left
        domain = self.domain(left, right, op)
        if domain == "null":
            return self.null_compare(op, left, right)
        convert = CONVERTERS.get(domain, lambda v: v)
        get_left = left.get
        py_op = _PY_OPS[op]
        if right.literal is not None:
            constant = self.convert_literal(right.literal, domain)

            def fn(record):
                value = convert(get_left(record))
                if value is None:
                    return (op == "ne") if op in ("eq", "ne") else None
                try:
                    return py_op(value, constant)
                except TypeError:
                    return None

            return CmpNode(op, domain, left.keys, constant, fn)
        get_right = right.get

        def fn2(record):
            a, b = convert(get_left(record)), convert(get_right(record))
            if a is None or b is None:
                if op in ("eq", "ne"):
                    return (a is None and b is None) == (op == "eq")
                return None
            try:
                return py_op(a, b)
            except TypeError:
                return None

        return CmpNode(op, domain, None, None, fn2)

    def null_compare(self, op: str, left: Operand, right: Operand) -> CmpNode:
        other = right if left.kind == "null" else left
        get = other.get
        if op == "eq":
            return CmpNode(op, "null", other.keys, None, lambda record: get(record) is None)
        if op == "ne":
            return CmpNode(op, "null", other.keys, None, lambda record: get(record) is not None)
        return CmpNode(op, "null", other.keys, None, lambda record: None)

    def domain(self, left: Operand, right: Operand, op: str) -> str:
        kinds = {left.kind, right.kind}
        if "null" in kinds:
            return "null"
        for operand in (left, right):
            if operand.kind in ("object", "array", "map"):
                self.incompatible(left, right, op)
        if kinds == {"any"}:
            return "raw"
        kinds.discard("any")
        if len(kinds) == 1:
            kind = kinds.pop()
            return "number" if kind == "int" else kind
        if kinds == {"int", "number"}:
            return "number"
        if kinds == {"datetime", "string"}:
            string_side = left if left.kind == "string" else right
            if string_side.literal is not None:
                return "datetime"  # edited gt '2024-01-01T00:00:00Z' (older servers accept the quoted form)
        if kinds == {"guid", "string"}:
            return "guid"
        self.incompatible(left, right, op)

    def incompatible(self, left: Operand, right: Operand, op: str):
        raise ODataError(
            f"A binary operator with incompatible types was detected. Found operand types "
            f"'{left.edm}' and '{right.edm}' for operator kind '{OP_NAMES[op]}'."
        )

    def convert_literal(self, literal: Lit, domain: str):
        value = literal.value
        if domain == "datetime":
            if literal.kind == "datetime":
                return value
            try:
                return parse_ticks(value)
            except ValueError:
                raise ODataError(f"The literal {literal.text} is not a valid Edm.DateTimeOffset value.") from None
        if domain == "guid":
            try:
                return guid_sort_key(value)
            except (ValueError, AttributeError, TypeError):
                raise ODataError(f"The literal {literal.text} is not a valid Edm.Guid value.") from None
        if domain == "string":
            return value.casefold()
        return value


# ------------------------------------------------------------------------------------------ the whole query


@dataclass
class OrderKey:
    keys: tuple
    kind: str
    desc: bool
    key: Callable[[dict], tuple] = field(repr=False, default=None)


@dataclass
class Query:
    filter: BoolNode | None = None
    orderby: list = field(default_factory=list)  # [OrderKey]
    top: int | None = None
    skip: int = 0
    select: list | None = None  # [keys tuple]; None = every property

    def matches(self, record: dict) -> bool:
        return self.filter is None or self.filter.eval(record) is True

    def sort(self, items: list, record_of: Callable = lambda item: item) -> None:
        """Sort in place by $orderby (stable, multi-key: the last key first)."""
        for order in reversed(self.orderby):
            key = order.key
            items.sort(key=lambda item: key(record_of(item)), reverse=order.desc)

    def project(self, record: dict) -> dict:
        if self.select is None:
            return record
        out: dict = {}
        for keys in self.select:
            source, target = record, out
            for key in keys[:-1]:
                source = source.get(key) if isinstance(source, dict) else None
                if source is None:
                    target[key] = None
                    break
                target = target.setdefault(key, {})
                if target is None:
                    break
            else:
                target[keys[-1]] = source.get(keys[-1]) if isinstance(source, dict) else None
        return out


KNOWN_OPTIONS = {
    "$filter",
    "$orderby",
    "$top",
    "$skip",
    "$select",
    "$count",
    "$format",
    "$inlinecount",
    "$expand",
    "$skiptoken",
}


def _non_negative(name: str, text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise ODataError(
            f"Invalid value '{text}' for {name} query option found. "
            f"The {name} query option requires a non-negative integer value."
        )
    return value


def _order_key(keys: tuple, kind: str) -> Callable[[dict], tuple]:
    get = _getter(keys)
    convert = CONVERTERS.get(kind)
    if convert is None:  # open property: rank by type so mixed values still sort

        def raw(record):
            value = get(record)
            if value is None:
                return (0, 0, 0)
            return (1, type(value).__name__, value)

        return raw

    def key(record):
        value = convert(get(record))
        return (0, 0) if value is None else (1, value)

    return key


def _split_list(text: str, option: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise ODataError(f"The {option} query option has an empty item in '{text}'.")
    return items


def parse_query(params: Iterable[tuple[str, str]], definition: str, id_kind: str = "guid") -> Query:
    """A Query from the request's query parameters (non-$ parameters are ignored, like Act!'s own)."""
    options: dict[str, str] = {}
    for name, value in params:
        if not name.startswith("$"):
            continue
        lname = name.lower()
        if lname not in KNOWN_OPTIONS:
            raise ODataError(f"The query parameter '{name}' is not supported.")
        if lname in options:
            raise ODataError(
                f"Query option '{name}' was specified more than once, but it can only be specified at most once."
            )
        options[lname] = value
    compiler = Compiler(definition, id_kind)
    query = Query()
    if "$filter" in options:
        query.filter = compiler.boolean(parse_filter(options["$filter"]))
    if "$orderby" in options:
        for item in _split_list(options["$orderby"], "$orderby"):
            parts = item.split()
            if len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
                raise ODataError(f"Syntax error in $orderby at '{item}': expected 'property [asc|desc]'.")
            if not re.fullmatch(r"[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*", parts[0]):
                raise ODataError(f"Syntax error in $orderby: '{parts[0]}' is not a property path.")
            keys, kind = compiler.path(parts[0])
            if kind in ("object", "array", "map"):
                raise ODataError(
                    f"The $orderby expression '{parts[0]}' must evaluate to a single value of primitive type."
                )
            desc = len(parts) == 2 and parts[1].lower() == "desc"
            query.orderby.append(OrderKey(keys, kind, desc, _order_key(keys, kind)))
    if "$top" in options:
        query.top = _non_negative("$top", options["$top"])
    if "$skip" in options:
        query.skip = _non_negative("$skip", options["$skip"])
    if "$select" in options:
        items = _split_list(options["$select"], "$select")
        if "*" not in items:
            selected = []
            for item in items:
                if not re.fullmatch(r"[A-Za-z_]\w*(?:/[A-Za-z_]\w*)*", item):
                    raise ODataError(f"Syntax error in $select: '{item}' is not a property path.")
                selected.append(compiler.path(item)[0])
            query.select = selected
    return query
