"""The draft PDF (« Télécharger mon dossier en PDF ») is rendered once per state of the answers:
downloading it again costs a few queries, and any change to what it prints renders it again."""
from unittest import mock

import pytest

from ami import pdf
from ami.models import Dossier, Library
from tests.ami.factories import dossier_path, open_dossier_in_session
from tests.integration_fixtures import make_complete_dossier
from tests.text import pdf_text

pytestmark = pytest.mark.django_db


def test_draft_pdf_is_rendered_again_only_when_the_dossier_changed(client, django_assert_max_num_queries):
    dossier = make_complete_dossier()
    open_dossier_in_session(client, dossier)
    url = dossier_path("ami:draft_pdf", dossier)
    with mock.patch.object(pdf, "render_snapshot_pdf", wraps=pdf.render_snapshot_pdf) as render:
        first = client.get(url)
        with django_assert_max_num_queries(15):  # the session's dossier and the snapshot; no rendering
            second = client.get(url)
        assert first.status_code == second.status_code == 200
        assert render.call_count == 1
        assert second.content == first.content

        # An answer of the dossier changes: the next download shows it.
        Dossier.objects.filter(pk=dossier.pk).update(project_statement="Un projet tout neuf pour la métropole.")
        third = client.get(url)
        assert render.call_count == 2
        assert "Un projet tout neuf pour la métropole." in pdf_text(third.content)

        # A library's answer changes (the dossier row itself does not): rendered again too.
        library = Library.objects.filter(dossier=dossier).order_by("sort_order").first()
        Library.objects.filter(pk=library.pk).update(name="Médiathèque du Nouveau Monde")
        fourth = client.get(url)
        assert render.call_count == 3
        assert "Médiathèque du Nouveau Monde" in pdf_text(fourth.content)
        assert client.get(url).content == fourth.content
        assert render.call_count == 3

        # Forgotten (a purge or an anonymisation): the next download renders it again.
        pdf.forget_draft_pdf(dossier.pk)
        client.get(url)
        assert render.call_count == 4
