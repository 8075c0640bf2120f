"""Failure counters for secrets: sign-in, re-authentication, the account page, invitation sign-up.

A failure is counted AFTER its secret was checked and found wrong, with one atomic increment per
key in the rate limiter's storage (process memory, or Redis when several processes share a
database). A key that holds FAILURES failures in its window refuses the next attempt (429)
before its secret is checked. So a correct sign-in never uses up anything: sixteen colleagues
behind one address may sign in at once, however long they wait for a password-hashing slot.

Parallel guesses are held by the target's in-flight counter (the account's, or the
invitation's: the first key given): at most IN_FLIGHT attempts at one target are checked at
once, and never more than its failures leave room for, so however many guesses arrive
together, at most FAILURES are checked in a window. The in-flight counter is taken atomically
before the check and given back after it; a process that dies meanwhile holds its slot until
the counter's window ends (IN_FLIGHT_SECONDS).

The counters are windows anchored at a key's first increment (the `limits` library's
fixed-window primitive, `incr` with an expiry). They fail closed: when their storage (Redis)
cannot be reached, the attempt is refused with 503 and Retry-After (webapp/errors `is_outage`),
never checked without them.
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
# Attempts at one account (or invitation) checked at once; more wait for a free slot.
IN_FLIGHT = 2
IN_FLIGHT_SECONDS = 60  # longer than any check: a hash slot's wait (20 s) and the hash
IN_FLIGHT_RETRY_SECONDS = 2
PREFIX = "enlace-failures"
IN_FLIGHT_PREFIX = "enlace-checking"


class TooManyFailures(ServiceError):
    """Too many failures for a key, or too many attempts at one target at once: answer 429."""

    status = 429

    def __init__(self, retry_after: int, in_flight: bool = False):
        if in_flight:
            message = _l("Another attempt is being checked. Wait a few seconds, then try again.")
        else:
            message = _l("Too many attempts. Wait a minute, then try again.")
        super().__init__(str(message))
        self.retry_after = retry_after
        # True when refused for attempts being checked at once, not for failures counted.
        self.in_flight = in_flight


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
    """An attempt admitted for checking: it holds an in-flight slot of its target until
    `failed` or `not_a_failure` settles it (leaving a `with` block settles it as no failure)."""

    keys: list[str]
    target: str | None = field(default=None)

    def failed(self) -> bool:
        """Count a failure against every key; return whether the target (the first key: the
        account or invitation) just reached the limit.

        Only the target's count decides: two failures checked at once increment the keys one
        after the other, so one may bring the account to the limit and the other the address
        (the same lockout, seen twice). The address's limit stops an address from guessing
        many accounts; it is no account's lockout.
        """
        storage = limiter.storage
        counts = [storage.incr(_stored(key), WINDOW_SECONDS) for key in self.keys]
        self.not_a_failure()  # counted first, so failures plus checks in flight never dip
        return counts[0] == FAILURES

    def not_a_failure(self) -> None:
        """Settle without a failure: the secret was right, or never checked."""
        if self.target is not None:
            _give_back(_in_flight(self.target), IN_FLIGHT_SECONDS)
            self.target = None

    def __enter__(self) -> Attempt:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.not_a_failure()


def reserve(*keys: str) -> Attempt:
    """Admit an attempt whose secret is about to be checked; the first key is its target.

    :raises TooManyFailures: when a key holds FAILURES failures in its window (Retry-After: the
        window's end), or when the target has IN_FLIGHT attempts being checked or as many as
        its remaining failures allow (Retry-After: a few seconds). Nothing is counted then.
    """
    storage = limiter.storage
    failures = {key: int(storage.get(_stored(key)) or 0) for key in keys}
    full = [key for key, count in failures.items() if count >= FAILURES]
    if full:
        retry = max(storage.get_expiry(_stored(key)) for key in full) - time.time()
        raise TooManyFailures(retry_after=max(1, math.ceil(retry)))
    target = keys[0]
    checking = storage.incr(_in_flight(target), IN_FLIGHT_SECONDS)
    # Read again after taking the slot: a failure is counted before its slot is given back, so
    # failures plus attempts in flight can never pass FAILURES unseen.
    failed = int(storage.get(_stored(target)) or 0)
    if checking > IN_FLIGHT or failed + checking > FAILURES:
        _give_back(_in_flight(target), IN_FLIGHT_SECONDS)
        raise TooManyFailures(retry_after=IN_FLIGHT_RETRY_SECONDS, in_flight=True)
    return Attempt(list(keys), target)


def _stored(key: str) -> str:
    return f"{PREFIX}/{key}"


def _in_flight(key: str) -> str:
    return f"{IN_FLIGHT_PREFIX}/{key}"


def _give_back(stored: str, window: int) -> None:
    storage = limiter.storage
    decrement = getattr(storage, "decr", None)  # memory storage; Redis only has incr
    if decrement is not None:
        decrement(stored)
    elif storage.incr(stored, window, amount=-1) < 0:
        # The window ended while the attempt ran: never leave a negative count (a free slot).
        storage.incr(stored, window)
