"""factory_boy factories of the datasets app (and the few ontology terms its tests need)."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from datasets.models import Dataset, DatasetFile, Document, Parameter
from datasets.services import parameter_from_values
from ontologies.models import Term


class UserFactory(factory.django.DjangoModelFactory):
    """A user."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")


class TermFactory(factory.django.DjangoModelFactory):
    """A technique term."""

    class Meta:
        model = Term
        django_get_or_create = ["iri"]

    iri = factory.Sequence(lambda n: f"http://purl.org/pan-science/PaNET/PaNET9{n:04d}")
    label = factory.Sequence(lambda n: f"technique {n}")


class DatasetFactory(factory.django.DjangoModelFactory):
    """A public dataset in the PaNOSC shape."""

    class Meta:
        model = Dataset
        skip_postgeneration_save = True

    pid = factory.Sequence(lambda n: f"10.5072/test:dataset-{n}")
    title = factory.Sequence(lambda n: f"Test dataset {n}")
    is_public = True
    creation_date = factory.LazyFunction(timezone.now)
    size = 1024

    @factory.post_generation
    def techniques(self, create, extracted, **kwargs):
        """``techniques=[term, ...]``."""
        if create and extracted:
            self.techniques.set(extracted)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A public proposal."""

    class Meta:
        model = Document
        skip_postgeneration_save = True

    pid = factory.Sequence(lambda n: f"10.5072/test:document-{n}")
    title = factory.Sequence(lambda n: f"Test proposal {n}")
    type = "proposal"

    @factory.post_generation
    def datasets(self, create, extracted, **kwargs):
        """``datasets=[dataset, ...]``."""
        if create and extracted:
            self.datasets.set(extracted)


class DatasetFileFactory(factory.django.DjangoModelFactory):
    """A file of a dataset."""

    class Meta:
        model = DatasetFile

    dataset = factory.SubFactory(DatasetFactory)
    name = factory.Sequence(lambda n: f"run-{n}.nxs")


def add_parameter(owner, name: str, value, unit: str = "") -> Parameter:
    """Save a parameter (with its SI value) on a dataset or a document."""
    parameter = parameter_from_values(name, value, unit)
    if isinstance(owner, Document):
        parameter.document = owner
    else:
        parameter.dataset = owner
    parameter.save()
    return parameter
