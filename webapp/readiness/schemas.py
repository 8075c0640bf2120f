"""The answer of GET /api/v1/workspaces/<id>/readiness: one declaration for the route and the
OpenAPI document."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from webapp.readiness.service import Readiness as ReadinessResult

ANSWER = ConfigDict(extra="forbid")


class ReadinessFix(BaseModel):
    """What to do about a gap, and where."""

    model_config = ANSWER

    text: str = Field(min_length=1, description="What to do, in the user's language.")
    url: str = Field(
        pattern="^/",
        description=(
            "Where to do it: a path on this site, e.g. `/app#contact/<id>`, `/app#playbook/<id>`, "
            "`/app#quick-dial`, `/app#directory`. Where the app has no edit screen yet it opens "
            "the item, and `text` says what to change."
        ),
        examples=["/app#directory"],
    )


class ReadinessCheck(BaseModel):
    """One item of the checklist."""

    model_config = ANSWER

    id: str = Field(
        description=(
            "A stable code: `area:<area>` for each internal area (finance, customer_service, "
            "quality, leadership, marketing, operations), `legal`, `medical`, "
            "`national_numbers`, `city_numbers`, `cybercrime`, `playbooks`, `numbers_valid`, "
            "`fresh`."
        ),
        examples=["area:finance"],
    )
    ok: bool
    title: str = Field(description="What the check asks, in the user's language.")
    weight: int = Field(ge=1, description="Its share of the score.")
    fix: ReadinessFix | None = Field(description="Null when `ok`; else what to do and where.")


class Readiness(BaseModel):
    """The workspace's readiness checklist, computed from what the user may see.

    `score` is the weighted share of checks passed (0–100). An area counts as covered after hours
    when one of its contacts with a phone is available `always`, has hours on Saturday or Sunday,
    hours ending at 21:00 or later (or past midnight) or starting before 07:00, or has a backup
    contact (visible to the user, with a phone) who does; an area typed in Spanish or with spaces
    (`Finanzas`, `customer service`) counts as its code. National numbers: kind `emergency` or
    `authority` without a city, or tagged `national`; city numbers: kind `emergency` or
    `authority` whose city is the workspace's, or tagged `city`; checked by the team:
    `last_verified_at` is set. A viewer's answer never counts or names restricted contacts or
    playbooks; an item that turns on a contact the viewer cannot see (a backup, a playbook's
    contact) is left out of their count, and a check with nothing else to judge is left out of
    `checks`. Titles and fixes name areas, kinds and services, never their codes.
    """

    model_config = ANSWER

    score: int = Field(ge=0, le=100)
    checks: list[ReadinessCheck]

    @classmethod
    def of(cls, result: ReadinessResult) -> Readiness:
        """Build the answer from the service's result."""
        return cls(
            score=result.score,
            checks=[
                ReadinessCheck(
                    id=c.id,
                    ok=c.ok,
                    title=c.title,
                    weight=c.weight,
                    fix=ReadinessFix(text=c.fix.text, url=c.fix.url) if c.fix else None,
                )
                for c in result.checks
            ],
        )
