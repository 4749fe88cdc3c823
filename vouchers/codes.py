"""Codes of vouchers and gift cards: random ones staff can read aloud, matched in any case.

The alphabet leaves out look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V): 23 symbols, so a
12-character code carries 54 bits. Codes are stored upper-case and looked up upper-case
through their unique index: one indexed query whether the code exists or not.
"""

from __future__ import annotations

import secrets

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"  # no 0 O 1 I L 2 Z 5 S 8 B U V
RANDOM_LENGTH = 12
MAX_LENGTH = 40


def code_random(length: int = RANDOM_LENGTH) -> str:
    """A fresh random code (at least 10 characters)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(max(length, 10)))


def code_normalize(code: str) -> str:
    """What a typed code is stored and looked up as: trimmed, no inner blanks or dashes
    staff may print for readability, upper-case."""
    return "".join(code.split()).replace("-", "").upper()[:MAX_LENGTH]
