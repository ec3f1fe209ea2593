"""Comparing two answers to the same request, and what a comparison records.

Compared: the status, the media type, the error ``type``, the presence of Express's headers, the
*shape* of a JSON body (keys, value kinds with ids and timestamps normalized, list lengths) and,
for plain-text answers, the text itself. Messages are not compared (they are prose), ids and
numbers are not (they belong to each deployment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .shapes import differences, shape
from .sides import EXPRESS_HEADERS, Answer, Sent


@dataclass
class Comparison:
    source: str  # "scenario" or "generated"
    scenario: str  # the scenario's name, or the generation mode
    operation: str
    method: str
    reference: Answer
    candidate: Answer
    sent: tuple[Sent, Sent]
    reasons: list[str] = field(default_factory=list)
    explained_by: str | None = None
    """The key of a *mock differs* row of the quirks registry that explains every reason."""

    @property
    def agree(self) -> bool:
        return not self.reasons

    @property
    def counted_agree(self) -> bool:
        """Agreement as the score counts it: equal, or a deliberate difference of the mock."""
        return self.agree or self.explained_by is not None

    @property
    def request(self) -> str:
        """``METHOD /path?query`` as the reference received it."""
        url = urlsplit(self.sent[0].url)
        return f"{self.method} {url.path}{'?' + url.query if url.query else ''}"

    @property
    def path(self) -> str:
        return urlsplit(self.sent[0].url).path

    @property
    def query(self) -> str:
        return urlsplit(self.sent[0].url).query

    @property
    def body(self) -> bytes | None:
        return self.sent[0].body


def head_differences(reference: Answer, candidate: Answer) -> list[str]:
    """The status and the media type: what any two answers to one request are compared on
    first (here, and by ``capture --verify``)."""
    reasons = []
    if reference.status != candidate.status:
        reasons.append(f"status {reference.status} vs {candidate.status}")
    if reference.media_type != candidate.media_type:
        reasons.append(f"content-type {reference.media_type or '<none>'} vs "
                       f"{candidate.media_type or '<none>'}")
    return reasons


def compare(reference: Answer, candidate: Answer) -> list[str]:
    """Why two answers to one request disagree (empty when they agree)."""
    reasons = head_differences(reference, candidate)
    if reference.error_type != candidate.error_type:
        reasons.append(f"error type {reference.error_type} vs {candidate.error_type}")
    if reference.headers != candidate.headers:
        for name in EXPRESS_HEADERS:
            if (name in reference.headers) != (name in candidate.headers):
                where = "reference" if name in reference.headers else "candidate"
                reasons.append(f"header {name} only on the {where}")
    if reference.json is not None and candidate.json is not None:
        reasons.extend(differences(shape(reference.json, lengths=True),
                                   shape(candidate.json, lengths=True))[:20])
    elif reference.media_type == candidate.media_type == "text/plain" and (
            reference.text != candidate.text):
        reasons.append(f"text {reference.text[:80]!r} vs {candidate.text[:80]!r}")
    return reasons
