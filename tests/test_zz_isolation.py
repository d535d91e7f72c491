"""Runs after the app folders (pytest collects files in order): no earlier test may have left
data in the test database. A fixture that loads content for a whole session or module without
rolling it back makes every later test see it; this catches such a leak where it starts."""

import pytest

from datasets.models import Dataset
from ontologies.models import Term
from registry.models import Facility, Procedure


@pytest.mark.django_db
def test_earlier_tests_left_the_database_empty():
    leftovers = {
        "procedures": Procedure.objects.count(),
        "facilities": Facility.objects.count(),
        "datasets": Dataset.objects.count(),
        "terms": Term.objects.count(),
    }
    assert leftovers == dict.fromkeys(leftovers, 0)
