"""Failure counters for secrets: sign-in, re-authentication, the account page, invitation sign-up.

An attempt is counted BEFORE its secret is checked, with one atomic increment per key in the
rate limiter's storage (process memory, or Redis when several processes share a database), so
parallel guesses cannot all pass a check made before any of them failed. The 11th attempt in the
window is refused (429) and never checked. An attempt that turns out not to be a failure (the
right password, no capacity to hash it, an invitation sign-up that did not meet an existing
account) gives its slot back, so successes never use up the allowance of a person or an office.

The counter is a window anchored at the key's first counted attempt (the `limits` library's
fixed-window primitive, `incr` with an expiry): a moving window cannot give a slot back.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from webapp.auth.service import normalize_email
from webapp.errors import ServiceError
from webapp.extensions import limiter

FAILURES = 10  # allowed within the window; the next attempt gets 429
WINDOW_SECONDS = 60
PREFIX = "enlace-failures"


class TooManyFailures(ServiceError):
    """Too many failures for a key: answer 429 with Retry-After."""

    status = 429

    def __init__(self, retry_after: int, newly_reached: bool):
        super().__init__(str(_l("Too many attempts. Wait a minute, then try again.")))
        self.retry_after = retry_after
        # True for the first refusal of a window, so the refusal is audited once, not per try.
        self.newly_reached = newly_reached


def account_key(email: str) -> str:
    """Return the counter key of an account (known or not), by its normalized email."""
    return f"account/{normalize_email(email)}"


def address_key(address: str) -> str:
    """Return the counter key of a client address."""
    return f"address/{address}"


def invitation_key(invitation_id: object) -> str:
    """Return the counter key of an invitation (emails probed through its sign-up form)."""
    return f"invitation/{invitation_id}"


@dataclass
class Attempt:
    """Slots taken by one attempt; `not_a_failure` gives them back."""

    keys: list[str] = field(default_factory=list)

    def not_a_failure(self) -> None:
        """Give the slots back: the attempt succeeded or its secret was never checked."""
        for key in self.keys:
            _give_back(key)
        self.keys = []


def reserve(*keys: str) -> Attempt:
    """Count an attempt against every key before the secret is checked.

    :raises TooManyFailures: when a key already holds FAILURES attempts in its window; the
        attempt then holds no slot of the keys still under the limit.
    """
    storage = limiter.storage
    counts = [(key, storage.incr(_stored(key), WINDOW_SECONDS)) for key in keys]
    over = [(key, count) for key, count in counts if count > FAILURES]
    if not over:
        return Attempt([key for key, _count in counts])
    for key, count in counts:
        if count <= FAILURES:
            _give_back(key)
    # The refused slots stay counted until their window ends: a refusal never extends it.
    retry = max(storage.get_expiry(_stored(key)) for key, _count in over) - time.time()
    raise TooManyFailures(
        retry_after=max(1, math.ceil(retry)),
        newly_reached=any(count == FAILURES + 1 for _key, count in over),
    )


def _stored(key: str) -> str:
    return f"{PREFIX}/{key}"


def _give_back(key: str) -> None:
    storage = limiter.storage
    decrement = getattr(storage, "decr", None)  # memory storage; Redis only has incr
    if decrement is not None:
        decrement(_stored(key))
    elif storage.incr(_stored(key), WINDOW_SECONDS, amount=-1) < 0:
        # The window ended while the attempt ran: never leave a negative count (a free slot).
        storage.incr(_stored(key), WINDOW_SECONDS)
