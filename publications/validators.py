"""DOIs and ORCID iDs: normalise and validate them."""

import re

from django.core.exceptions import ValidationError

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/")
ORCID_PATTERN = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def normalise_doi(text: str) -> str:
    """A DOI in lowercase without resolver prefix or ``doi:``; raise ValidationError if malformed."""
    doi = (text or "").strip()
    for prefix in DOI_PREFIXES:
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
            break
    if doi.lower().startswith("doi:"):
        doi = doi[4:].strip()
    doi = doi.lower()
    validate_doi(doi)
    return doi


def validate_doi(value: str) -> None:
    """Refuse anything that is not ``10.NNNN/suffix`` (4 to 9 digit registrant, no spaces)."""
    if not DOI_PATTERN.match(value or ""):
        raise ValidationError(
            f"{value!r} is not a DOI (expected 10.NNNN/suffix).", code="invalid_doi"
        )


def orcid_check_digit(base_digits: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalise_orcid(text: str) -> str:
    """An ORCID iD as ``0000-0000-0000-000X`` (from a bare iD or an orcid.org URL)."""
    orcid = (text or "").strip()
    orcid = re.sub(r"^https?://(www\.)?orcid\.org/", "", orcid, flags=re.IGNORECASE).upper()
    validate_orcid(orcid)
    return orcid


def validate_orcid(value: str) -> None:
    """Refuse an ORCID iD in the wrong shape or with a wrong check digit."""
    if not value:
        return
    if not ORCID_PATTERN.match(value):
        raise ValidationError(
            f"{value!r} is not an ORCID iD (expected 0000-0000-0000-000X).", code="invalid_orcid"
        )
    digits = value.replace("-", "")
    if orcid_check_digit(digits[:-1]) != digits[-1]:
        raise ValidationError(
            f"ORCID iD {value!r} has a wrong check digit.", code="invalid_orcid_checksum"
        )
