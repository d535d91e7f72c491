"""Parsing and checking of container image and code references."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

CONTAINER_PATTERN = re.compile(
    r"^(?P<name>[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
    r"(?:@sha256:(?P<digest>[a-f0-9]{64}))?$"
)
COMMIT_PATTERN = re.compile(r"^[0-9a-f]{40}$")
# The git repositories a manifest may name (its code/repository pattern): web, ssh and git URLs,
# and the scp-like git@host:path.
REPOSITORY_PATTERN = re.compile(r"^(https?|ssh|git)://\S+$|^git@[^:\s]+:\S+$")
REPOSITORY_HINT = "a git repository URL: https://, ssh://, git:// or git@host:path"


def validate_repository(value: str) -> None:
    """Raise ValidationError unless ``value`` is a git repository a manifest may name."""
    if not REPOSITORY_PATTERN.match(value or ""):
        raise ValidationError(
            f"{value!r} does not have the expected form ({REPOSITORY_HINT}).",
            code="invalid_repository",
        )


@dataclass(frozen=True)
class ContainerReference:
    """A container image reference split into name, tag and sha256 digest."""

    name: str
    tag: str | None
    digest: str | None

    @property
    def is_pinned(self) -> bool:
        """True when the reference names an exact image by its digest."""
        return self.digest is not None


def parse_container(reference: str) -> ContainerReference | None:
    """Parse ``registry/name:tag@sha256:<64 hex>``; None when the text is not a reference."""
    match = CONTAINER_PATTERN.match(reference or "")
    if not match:
        return None
    return ContainerReference(match["name"], match["tag"], match["digest"])


def publishable_container_problem(reference: str) -> str | None:
    """Say why ``reference`` cannot be published, or None when it is pinned by digest."""
    if not reference:
        return "A published version needs a container image pinned by digest (name:tag@sha256:…)."
    parsed = parse_container(reference)
    if parsed is None:
        return f"{reference!r} is not a container reference (registry/name:tag@sha256:<64 hex>)."
    if parsed.is_pinned:
        return None
    if parsed.tag in (None, "latest"):
        return (
            f"{reference!r} names only the tag 'latest', which changes over time; pin the image "
            "by digest (name:tag@sha256:<64 hex>) to publish."
        )
    return (
        f"{reference!r} has no digest; tags can move, so pin the image by digest "
        "(name:tag@sha256:<64 hex>) to publish."
    )


def commit_url(repository: str, commit: str) -> str | None:
    """Web URL of ``commit`` for repositories on well-known forges, else None."""
    base = repository.removesuffix(".git").rstrip("/")
    if base.startswith("git@"):
        host, _, path = base[4:].partition(":")
        base = f"https://{host}/{path}"
    if "github.com/" in base or "gitlab" in base or "codeberg.org/" in base:
        separator = "/-/commit/" if "gitlab" in base else "/commit/"
        return f"{base}{separator}{commit}"
    return None
