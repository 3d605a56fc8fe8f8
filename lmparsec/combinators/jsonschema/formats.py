"""JSON Schema ``format`` values as full-match regular expressions of the decoded string.

:func:`format_pattern` returns an interegular pattern for the formats that a
regular language describes (exactly or closely) -- or, where an IPv6 address
literal joins a URI or an e-mail address, a :data:`~.ecma.Lang` of patterns
whose automata are concatenated (interegular alone takes seconds for those) --
and ``None`` for unknown ones. Their automata ship built (:mod:`.prebuilt`): the
patterns here are what they are built from, and what the tests check them by.
The official test suite's ``optional/format`` files are the oracle; the tests
list the cases each approximation knowingly gets wrong.

Exact (up to the noted limits): ``date`` (days per month, Feb 29 only in leap
years, no year 0000), ``time`` and ``date-time`` (RFC 3339, lowercase ``t``/``z``
allowed, fractional seconds; a leap second only as 23:59:60 UTC, see below),
``duration``, ``uuid``, ``ipv4`` (no leading zeros), ``ipv6`` (every
compressed form, embedded IPv4, no zone id), ``json-pointer``,
``relative-json-pointer``, ``uri``, ``uri-reference`` (IPv6 host literals
included) and ``uri-template`` (RFC 3986 / RFC 6570 grammars).

Approximate (documented):

- ``time``/``date-time``: a leap second only written in UTC (``23:59:60Z`` or
  ``+00:00``), not with a non-zero offset;
- ``hostname``: label syntax and label length (1..63), not the 253-character
  total, not the IDNA ``--`` rules;
- ``idn-hostname``: any non-ASCII character in labels (no IDNA 2008
  contextual or bidi rules, no Punycode checks);
- ``email``: RFC 5321 dot-atom or quoted local part at a hostname or an IPv4
  or IPv6 address literal, no length limits; ``idn-email`` the same with
  non-ASCII allowed;
- ``iri``, ``iri-reference``: every non-ASCII character where RFC 3987 allows
  ``ucschar``;
- ``regex``: every string (being a valid ECMA-262 regex is not a regular
  property).

All approximations are sound (they reject rather than accept when unsure)
except ``idn-hostname``/``idn-email``/``iri*``/``regex``, which accept some
invalid strings.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ..base import Parser
from .ecma import Lang
from .patterns import lang_parser

__all__ = ["format_pattern", "KNOWN_FORMATS"]

_D = "[0-9]"
_HEXDIG = "[0-9A-Fa-f]"

# -- dates and times (RFC 3339) -------------------------------------------------------
# years 0001-9999: RFC 3339 writes 4DIGIT, but no validator built on Python's datetime
# (jsonschema's date checker among them) takes a year 0000
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_DATE = f"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
_HOUR = "(?:[01][0-9]|2[0-3])"
_MINUTE = "[0-5][0-9]"
_FRAC = r"(?:\.[0-9]+)?"
_OFFSET = f"(?:[Zz]|[+\\-]{_HOUR}:{_MINUTE})"


def _leap_second_times() -> str:
    """``23:59:60`` in UTC (``Z`` or a zero offset). A leap second written with a
    non-zero offset (``15:59:60-08:00``) is valid RFC 3339 but not accepted: the
    local time and the offset must then agree, 2880 combinations that make the
    DFA slow to build (a knowing incompleteness, never unsound)."""
    return f"23:59:60{_FRAC}(?:[Zz]|[+\\-]00:00)"


@lru_cache(maxsize=1)
def _time() -> str:
    return f"(?:{_HOUR}:{_MINUTE}:{_MINUTE}{_FRAC}{_OFFSET}|{_leap_second_times()})"


_DURATION = (
    "P(?:[0-9]+W"
    "|(?:[0-9]+Y(?:[0-9]+M(?:[0-9]+D)?)?|[0-9]+M(?:[0-9]+D)?|[0-9]+D)(?:T(?:{t}))?"
    "|T(?:{t}))"
).format(t="[0-9]+H(?:[0-9]+M(?:[0-9]+S)?)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S")

# -- network names and addresses ----------------------------------------------------------
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
_IPV4 = f"{_OCTET}(?:\\.{_OCTET}){{3}}"


def _ipv6() -> str:
    h16 = f"{_HEXDIG}{{1,4}}"
    ls32 = f"(?:{h16}:{h16}|{_IPV4})"
    alts = [f"(?:{h16}:){{6}}{ls32}", f"::(?:{h16}:){{5}}{ls32}"]
    for before in range(0, 7):
        head = h16 if before == 0 else f"(?:(?:{h16}:){{0,{before}}}{h16})"
        after = 4 - before
        if after >= 0:
            tail = f"(?:{h16}:){{{after}}}{ls32}" if after else ls32
        elif before == 5:
            tail = h16
        else:
            tail = ""
        alts.append(f"(?:{head})?::{tail}")
    return "(?:" + "|".join(alts) + ")"


_IPV6 = _ipv6()
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = f"{_LABEL}(?:\\.{_LABEL})*"
# Non-ASCII "letters" for internationalised names: everything above ASCII except
# the ideographic/fullwidth full stops and spaces (approximation).
_NON_ASCII = "[^\\x00-\\x7f\u3002\uff0e\uff61\u00a0\u2028\u2029]"
_IDN_CHAR = f"(?:[A-Za-z0-9]|{_NON_ASCII})"
_IDN_LABEL = f"{_IDN_CHAR}(?:(?:{_IDN_CHAR}|\\-){{0,61}}{_IDN_CHAR})?"
_IDN_HOSTNAME = f"{_IDN_LABEL}(?:[.\u3002\uff0e\uff61]{_IDN_LABEL})*"

_ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-]"
_QUOTED = '"(?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[\\x20-\\x7e])*"'
_ADDRESS_LITERAL = f"\\[{_IPV4}\\]"


def _email(atext: str, hostname: str) -> Lang:
    """Addresses of a dot-atom or quoted local part at a host name, an IPv4 literal or
    an IPv6 one -- whose automaton is concatenated to the rest (inside one pattern
    interegular takes seconds to build it)."""
    local = f"(?:{atext}+(?:\\.{atext}+)*|{_QUOTED})"
    return ("or", f"{local}@(?:{hostname}|{_ADDRESS_LITERAL})", ("cat", f"{local}@\\[IPv6:", _IPV6, "\\]"))


_EMAIL = _email(_ATEXT, _HOSTNAME)
_IDN_ATEXT = f"(?:{_ATEXT}|{_NON_ASCII})"
_IDN_EMAIL = _email(_IDN_ATEXT, _IDN_HOSTNAME)

# -- URIs (RFC 3986), IRIs (RFC 3987) ----------------------------------------------------------


def _uri_grammar(iri: bool) -> tuple[Lang, Lang]:
    """(absolute URI, URI reference) patterns; ``iri`` adds non-ASCII characters."""
    unreserved = "A-Za-z0-9\\-._~"
    sub_delims = "!$&'()*+,;="
    # IRIs: any non-ASCII character where RFC 3987 allows ucschar/iprivate (approximation).
    extra = "|[^\\x00-\\x7f]" if iri else ""
    pct = f"%{_HEXDIG}{{2}}"
    pchar = f"(?:[{unreserved}{sub_delims}:@]|{pct}{extra})"
    segment = f"{pchar}*"
    segment_nz = f"{pchar}+"
    segment_nz_nc = f"(?:[{unreserved}{sub_delims}@]|{pct}{extra})+"
    query = f"(?:[{unreserved}{sub_delims}:@/?]|{pct}{extra})*"
    fragment = query
    userinfo = f"(?:[{unreserved}{sub_delims}:]|{pct}{extra})*"
    ipvfuture = f"[vV]{_HEXDIG}+\\.[{unreserved}{sub_delims}:]+"
    reg_name = f"(?:[{unreserved}{sub_delims}]|{pct}{extra})*"
    # (an IPv6 host literal is an automaton of its own, concatenated below: inside
    # the pattern interegular takes seconds to build the whole)
    host = f"(?:\\[{ipvfuture}\\]|{_IPV4}|{reg_name})"
    authority = f"(?:{userinfo}@)?{host}(?::[0-9]*)?"
    path_abempty = f"(?:/{segment})*"
    path_absolute = f"/(?:{segment_nz}(?:/{segment})*)?"
    path_rootless = f"{segment_nz}(?:/{segment})*"
    path_noscheme = f"{segment_nz_nc}(?:/{segment})*"
    scheme = "[A-Za-z][A-Za-z0-9+\\-.]*"
    hier = f"(?://{authority}{path_abempty}|{path_absolute}|{path_rootless}|)"
    tail = f"(?:\\?{query})?(?:#{fragment})?"
    absolute = f"{scheme}:{hier}{tail}"
    relative = f"(?://{authority}{path_abempty}|{path_absolute}|{path_noscheme}|){tail}"
    v6_after = f"\\](?::[0-9]*)?{path_abempty}{tail}"
    v6_absolute: Lang = ("cat", f"{scheme}://(?:{userinfo}@)?\\[", _IPV6, v6_after)
    v6_relative: Lang = ("cat", f"//(?:{userinfo}@)?\\[", _IPV6, v6_after)
    return ("or", absolute, v6_absolute), ("or", f"(?:{absolute}|{relative})", v6_absolute, v6_relative)


_URI, _URI_REFERENCE = _uri_grammar(iri=False)
_IRI, _IRI_REFERENCE = _uri_grammar(iri=True)

_TEMPLATE_LITERAL = "(?:[^\\x00-\\x20\"%<>\\\\^`{|}\\x7f]|%[0-9A-Fa-f]{2})"
_VARCHAR = "(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})"
_VARSPEC = f"{_VARCHAR}(?:\\.?{_VARCHAR})*(?::[1-9][0-9]{{0,3}}|\\*)?"
_EXPRESSION = f"\\{{[+#./;?&=,!@|]?{_VARSPEC}(?:,{_VARSPEC})*\\}}"
_URI_TEMPLATE = f"(?:{_TEMPLATE_LITERAL}|{_EXPRESSION})*"

_JSON_POINTER = "(?:/(?:[^~/]|~[01])*)*"
_RELATIVE_JSON_POINTER = f"(?:0|[1-9][0-9]*)(?:#|{_JSON_POINTER})"

_UUID = f"{_HEXDIG}{{8}}-{_HEXDIG}{{4}}-{_HEXDIG}{{4}}-{_HEXDIG}{{4}}-{_HEXDIG}{{12}}"


def _date_time() -> str:
    return f"{_DATE}[Tt]{_time()}"


_FORMATS: dict[str, Callable[[], Lang]] = {
    "date": lambda: _DATE,
    "time": _time,
    "date-time": _date_time,
    "duration": lambda: _DURATION,
    "email": lambda: _EMAIL,
    "idn-email": lambda: _IDN_EMAIL,
    "hostname": lambda: _HOSTNAME,
    "idn-hostname": lambda: _IDN_HOSTNAME,
    "ipv4": lambda: _IPV4,
    "ipv6": lambda: _IPV6,
    "uri": lambda: _URI,
    "uri-reference": lambda: _URI_REFERENCE,
    "iri": lambda: _IRI,
    "iri-reference": lambda: _IRI_REFERENCE,
    "uri-template": lambda: _URI_TEMPLATE,
    "uuid": lambda: _UUID,
    "json-pointer": lambda: _JSON_POINTER,
    "relative-json-pointer": lambda: _RELATIVE_JSON_POINTER,
    "regex": lambda: "[^]*",  # the pattern is only a fallback: format_parser checks the syntax
}

KNOWN_FORMATS = frozenset(_FORMATS)


def format_parser(name: str) -> Parser | None:
    """A parser of the decoded string for format ``name`` (``None`` when unknown).

    Formats are regular except ``regex`` (groups nest), which gets the small
    pushdown recogniser of :mod:`.regex_syntax`.
    """
    if name == "regex":
        from .regex_syntax import RegexSyntax

        return RegexSyntax()
    pattern = format_pattern(name)
    return None if pattern is None else lang_parser(pattern, f"format {name!r}")


def format_pattern(name: str) -> Lang | None:
    """A full-match interegular pattern (or a :data:`~.ecma.Lang` of them) for strings
    of format ``name``, or ``None`` when the format is unknown (JSON Schema then
    asserts nothing)."""
    make = _FORMATS.get(name)
    return None if make is None else make()
