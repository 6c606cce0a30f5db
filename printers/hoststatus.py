"""Zebra ``~HS`` (host status) replies: parsing is pure so it is tested with saved replies.

A ZPL printer answers ``~HS`` with three strings, each ``<STX>...<ETX><CR><LF>``, fields
separated by commas (ZPL II Programming Guide, "~HS Host Status Return"). Field numbers
below are 1-based, as in the guide:

String 1  ``aaa,b,c,dddd,eee,f,g,h,iii,j,k,l``
    1 aaa   communication settings          7 g   communications diagnostic mode
    2 b     paper out flag (1 = out)  USED  8 h   partial format flag
    3 c     pause flag (1 = paused)   USED  9 iii unused (000)
    4 dddd  label length in dots            10 j  corrupt RAM flag              USED
    5 eee   formats in receive buffer USED  11 k  under temperature flag        USED
    6 f     receive buffer full flag  USED  12 l  over temperature flag         USED
String 2  ``mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www``
    1 mmm   function settings               6 r   print mode
    2 n     unused                          7 s   print width mode
    3 o     head up flag (1 = open)   USED  8 t   label waiting flag
    4 p     ribbon out flag           USED  9 u.. labels remaining in batch
    5 q     thermal transfer mode     USED  10 v  format while printing (always 1)
                                            11 www graphic images stored
String 3  ``xxxx,y``: password and static RAM flag (not used).

Newer firmware appends fields; we only index from the start, so that is harmless.
"""

from __future__ import annotations

import re

from printers.transport import PrinterStatus

HOST_STATUS_QUERY = b"~HS"
STX, ETX = b"\x02", b"\x03"
_STRING = re.compile(rb"\x02([^\x02\x03]*)\x03")


def reply_complete(buffer: bytes) -> bool:
    """True once a reply holds all three STX...ETX strings."""
    return len(_STRING.findall(buffer)) >= 3


def _field(fields: list[str], number: int) -> str:
    """Field by its 1-based number in the guide; "" when the printer sent fewer."""
    return fields[number - 1].strip() if len(fields) >= number else ""


def parse_host_status(reply: bytes) -> PrinterStatus:
    """Turn a ``~HS`` reply into a PrinterStatus; ValueError when it is not one."""
    strings = [s.decode("ascii", "replace").split(",") for s in _STRING.findall(reply)]
    if len(strings) < 2 or len(strings[0]) < 3 or len(strings[1]) < 3:
        raise ValueError(f"not a ~HS host status reply: {reply[:80]!r}")
    first, second = strings[0], strings[1]

    problems: list[str] = []
    if _field(first, 2) == "1":
        problems.append("paper out")
    if _field(second, 3) == "1":
        problems.append("head open")
    if _field(first, 3) == "1":
        problems.append("paused")
    # The ribbon sensor only matters in thermal transfer mode; direct thermal has none.
    if _field(second, 4) == "1" and _field(second, 5) == "1":
        problems.append("ribbon out")
    if _field(first, 12) == "1":
        problems.append("head too hot")

    notes: list[str] = []
    waiting = _field(first, 5)
    if waiting.isdigit() and int(waiting) > 0:
        notes.append(f"{int(waiting)} format(s) waiting in the buffer")
    if _field(first, 6) == "1":
        notes.append("receive buffer full")
    if _field(first, 11) == "1":
        notes.append("head too cold (printing may be faint)")
    if _field(first, 10) == "1":
        notes.append("corrupt RAM (configuration lost)")
    detail = "; ".join(notes) or None

    if problems:
        return PrinterStatus.not_ready(tuple(problems), detail)
    return PrinterStatus.ok(detail)
