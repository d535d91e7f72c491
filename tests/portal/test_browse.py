"""Pages for everyone: home and search, techniques, procedures, datasets, upload."""

import pytest

from datasets.examples import EXAMPLES, write_examples
from registry.models import Procedure
from tests.portal.conftest import SAXS_DATASET

pytestmark = pytest.mark.django_db


def test_home_has_navigation_and_search_box(client):
    page = client.get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Analysis registry</h1>" in html
    assert 'aria-label="Main"' in html and 'href="/api/docs/"' in html
    assert 'label for="q"' in html and "Log in" in html
    assert "Curator area" not in html


def test_search_groups_results_with_facets(client):
    page = client.get("/", {"q": "saxs"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Results for “saxs”" in html
    assert "/procedures/saxs-azimuthal-integration/" in html
    assert 'id="facet-kind"' in html and "Procedures</a>" in html
    assert "Small angle X-ray scattering" in html or "SAXS" in html


def test_search_kind_facet_narrows_results(client):
    html = client.get("/", {"q": "saxs", "kind": "dataset"}).content.decode()
    assert f"/datasets/{SAXS_DATASET}/" in html
    assert "/procedures/saxs-azimuthal-integration/" not in html


def test_search_with_unknown_facets_is_not_an_error(client):
    page = client.get("/", {"q": "x" * 500, "technique": "nonsense", "facility": "nowhere"})
    assert page.status_code == 200


def test_technique_tree_has_counts_and_details(client):
    html = client.get("/techniques/").content.decode()
    assert "<h1>Experimental techniques</h1>" in html
    assert "<details" in html and "/techniques/PaNET01188/" in html
    assert "procedures</span>" in html


def test_technique_page_lists_procedures_resources_and_datasets(client):
    html = client.get("/techniques/PaNET01188/").content.decode()
    assert "SAXS azimuthal integration" in html
    assert "<h2>Tutorials" in html and "pyFAI documentation" in html
    assert "<h2>Simulations" in html and "SasView" in html
    assert SAXS_DATASET in html


def test_broader_technique_includes_narrower_procedures(client):
    saxs = Procedure.objects.get(slug="saxs-azimuthal-integration").techniques.get()
    parent = saxs.parents.first()
    html = client.get(f"/techniques/{parent.short_id}/").content.decode()
    assert "SAXS azimuthal integration" in html


def test_unknown_technique_is_404(client):
    assert client.get("/techniques/PaNET99999999/").status_code == 404


def test_procedure_page_shows_contract_code_and_run_form_fields(client, scientist):
    client.force_login(scientist)
    html = client.get("/procedures/saxs-azimuthal-integration/").content.decode()
    assert "<h1>SAXS azimuthal integration</h1>" in html
    assert "Required NeXus" in html and "How to cite" in html
    assert "https://github.com/analysis-registry-demo/procedures/commit/" in html
    assert "@sha256:" in html
    assert 'name="param_n_bins"' in html and 'value="120"' in html and 'min="5"' in html
    assert 'name="backend"' in html and 'name="dataset"' in html and 'name="facility"' in html


def test_procedure_page_asks_anonymous_users_to_log_in_to_run(client):
    html = client.get("/procedures/saxs-azimuthal-integration/").content.decode()
    assert "to run this procedure" in html and 'name="param_n_bins"' not in html


def test_draft_procedures_are_hidden(client):
    draft = Procedure.objects.filter(status="draft").first()
    if draft is None:
        pytest.skip("the demo has no draft procedure")
    assert client.get(f"/procedures/{draft.slug}/").status_code == 404


def test_procedure_list(client):
    page = client.get("/procedures/")
    assert page.status_code == 200 and "SAXS azimuthal integration" in page.content.decode()


def test_dataset_page_shows_metadata_tree_plot_and_recommendations(client, scientist):
    client.force_login(scientist)
    page = client.get(f"/datasets/{SAXS_DATASET}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h2>Parameters</h2>" in html and "<h2>NeXus tree</h2>" in html
    assert "/plot.png" in html
    assert "Recommended procedures" in html and "SAXS azimuthal integration" in html
    assert ">Analyse</button>" in html


def test_unknown_dataset_is_404(client):
    assert client.get("/datasets/10.5072/none/").status_code == 404


def test_upload_shows_summary_and_recommendations(client, tmp_path):
    write_examples(tmp_path, ["saxs"])
    with (tmp_path / EXAMPLES["saxs"].file_name).open("rb") as handle:
        page = client.post("/upload/", {"file": handle})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Summary of" in html and "SAXS azimuthal integration" in html
    # the facility the file names, from its source when it has no facility of its own
    assert "<dt>Facility</dt><dd>Diamond Light Source</dd>" in html


def test_upload_of_a_non_nexus_file_shows_an_error(client, tmp_path):
    path = tmp_path / "notes.nxs"
    path.write_text("not hdf5")
    with path.open("rb") as handle:
        page = client.post("/upload/", {"file": handle})
    assert page.status_code == 400 and "Not a readable NeXus file" in page.content.decode()


def test_upload_without_a_file_shows_an_error(client):
    page = client.post("/upload/", {})
    assert page.status_code == 400 and "errorlist" in page.content.decode()


def test_static_css_is_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("portal/portal.css") and finders.find("portal/portal.js")


def test_search_shows_a_first_page_of_many_procedures_with_their_total(client, monkeypatch):
    from portal import catalogue
    from recommender import services

    monkeypatch.setattr(catalogue, "PAGE_SIZE", 2)
    total = len(services.search("scattering")["results"])
    assert total > 2
    html = client.get("/", {"q": "scattering", "kind": "procedure"}).content.decode()
    assert f'Procedures <span class="count">({total})</span>' in html
    assert "The first 2 are shown" in html
    assert html.count('<li class="card">') == 2


def test_search_of_many_words_is_answered_and_too_many_are_explained(client, monkeypatch):
    # The box keeps 200 characters: 66 two-letter words, past SQLite's join limit before.
    words = " ".join(a + b for a in "bcdfghjklm" for b in "bcdfghj")
    assert client.get("/", {"q": words}).status_code == 200
    from config.api import text

    monkeypatch.setattr(text, "MAX_WORDS", 2)
    page = client.get("/", {"q": "small angle scattering"})
    assert page.status_code == 200
    assert "A search takes at most 2 different words" in page.content.decode()
