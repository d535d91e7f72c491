"""Datasets, parameters and documents: visibility, SI values, the NeXus tree."""

import pytest

from datasets.models import Dataset
from datasets.services import nexus_tree, parameter_from_values
from tests.datasets.factories import DatasetFactory, DocumentFactory, UserFactory, add_parameter

pytestmark = pytest.mark.django_db


def test_private_datasets_are_visible_to_their_owner_and_staff_only():
    owner, other = UserFactory(), UserFactory()
    staff = UserFactory(is_staff=True)
    public = DatasetFactory()
    private = DatasetFactory(is_public=False, owner=owner)

    assert set(Dataset.objects.visible_to(None)) == {public}
    assert set(Dataset.objects.visible_to(other)) == {public}
    assert set(Dataset.objects.visible_to(owner)) == {public, private}
    assert set(Dataset.objects.visible_to(staff)) == {public, private}


def test_parameters_keep_their_unit_and_an_si_value():
    dataset = DatasetFactory()
    wavelength = add_parameter(dataset, "wavelength", 1064, "nm")
    temperature = add_parameter(dataset, "temperature", 20, "celsius")
    state = add_parameter(dataset, "sample_state", "solid")

    assert wavelength.si_value == pytest.approx(1.064e-6) and wavelength.si_unit == "meter"
    assert temperature.si_value == pytest.approx(293.15) and temperature.si_unit == "kelvin"
    assert state.panosc_value == "solid" and state.si_value is None
    assert [p.name for p in dataset.parameters.all()] == [
        "sample_state",
        "temperature",
        "wavelength",
    ]


def test_unknown_units_keep_the_value_without_si():
    parameter = parameter_from_values("gain", 3.0, "NX_WHATEVER")
    assert parameter.value == 3.0 and parameter.si_value is None and parameter.si_unit == ""


def test_documents_link_datasets_both_ways():
    dataset = DatasetFactory()
    document = DocumentFactory(datasets=[dataset])
    assert list(dataset.documents.all()) == [document]


def test_nexus_tree_nests_groups_and_fields():
    summary = {
        "groups": {"/entry": "NXentry", "/entry/data": "NXdata"},
        "fields": {"/entry/data/counts": {"shape": [3], "dtype": "int32", "units": "counts"}},
    }
    tree = nexus_tree(summary)
    entry = tree["children"][0]
    assert entry["nx_class"] == "NXentry"
    data = entry["children"][0]
    assert data["path"] == "/entry/data" and data["nx_class"] == "NXdata"
    assert data["children"][0] == {
        "name": "counts",
        "path": "/entry/data/counts",
        "kind": "field",
        "children": [],
        "shape": [3],
        "dtype": "int32",
        "units": "counts",
    }
