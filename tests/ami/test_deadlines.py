"""One deadline per dossier (ami.services.deadlines): the campaign's, an extension granted to one
of its communes, or the date by which the MEL team asked for it to be completed."""
from datetime import timedelta

import pytest
from django.utils import timezone

from ami.models import CampaignExtension, Dossier, DossierCommune
from ami.services import deadlines
from ami.services.dossiers import (
    CampaignClosed,
    CampaignNotOpen,
    ensure_writable,
    send_resume_link,
    start_dossier,
)
from ami.services.submission import submit_dossier
from ami.services.tokens import CLOSED, VALID, check_token, issue_token

from .factories import (
    commune,
    complete_dossier,
    make_campaign,
    make_dossier,
    open_dossier_in_session,
    step_post_data,
    step_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_campaign():
    return make_campaign(opens_in=timedelta(days=-30), closes_in=timedelta(hours=-1))


def extend(campaign, name, hours=48):
    return CampaignExtension.objects.create(
        campaign=campaign, commune=commune(name), closes_at=timezone.now() + timedelta(hours=hours)
    )


def test_an_extension_keeps_only_that_communes_dossier_writable(closed_campaign):
    extended = make_dossier(closed_campaign, commune("Roubaix"))
    other = make_dossier(closed_campaign, commune("Tourcoing"))
    extend(closed_campaign, "Roubaix")
    ensure_writable(extended)
    with pytest.raises(CampaignClosed):
        ensure_writable(other)


def test_an_extension_for_a_member_commune_covers_the_network_dossier(closed_campaign):
    network = make_dossier(closed_campaign, commune("Roubaix"), is_network=True)
    DossierCommune.objects.create(dossier=network, commune=commune("Wattrelos"), campaign=closed_campaign)
    extend(closed_campaign, "Wattrelos")
    assert deadlines.dossier_is_open(network)


def test_the_extension_ends_at_its_own_date(closed_campaign):
    dossier = make_dossier(closed_campaign, commune("Roubaix"))
    extension = extend(closed_campaign, "Roubaix", hours=2)
    assert deadlines.dossier_is_open(dossier, extension.closes_at - timedelta(seconds=1))
    assert not deadlines.dossier_is_open(dossier, extension.closes_at)


def test_an_earlier_extension_never_shortens_the_call():
    campaign = make_campaign(closes_in=timedelta(days=10))
    dossier = make_dossier(campaign, commune("Roubaix"))
    extend(campaign, "Roubaix", hours=1)
    assert deadlines.dossier_closes_at(dossier) == campaign.closes_at


def test_a_commune_with_an_extension_may_still_start_its_dossier(closed_campaign):
    extend(closed_campaign, "Hem")
    result = start_dossier(closed_campaign, commune("Hem"), is_network=False, agent_email="agent@hem.example.fr")
    assert result.created
    with pytest.raises(CampaignNotOpen):
        start_dossier(closed_campaign, commune("Seclin"), is_network=False, agent_email="agent@seclin.example.fr")


def test_the_resume_link_of_an_extended_dossier_opens_until_the_extension(closed_campaign):
    dossier = make_dossier(closed_campaign, commune("Roubaix"))
    extension = extend(closed_campaign, "Roubaix")
    assert send_resume_link(dossier)
    raw = issue_token(dossier)
    assert check_token(raw).status == VALID
    assert check_token(raw, now=extension.closes_at).status == CLOSED


def test_a_dossier_to_complete_is_writable_until_its_date_then_refused(closed_campaign):
    dossier = make_dossier(closed_campaign, commune("Roubaix"))
    dossier.completion_due_at = timezone.now() + timedelta(days=3)
    dossier.save()
    ensure_writable(dossier)
    with pytest.raises(CampaignClosed):
        ensure_writable(dossier, dossier.completion_due_at)


def test_a_step_saved_and_submitted_after_the_call_closed_under_an_extension(client, closed_campaign):
    dossier = complete_dossier(make_dossier(closed_campaign, commune("Roubaix")))
    open_dossier_in_session(client, dossier)
    refused = client.post(step_url(dossier, "engagements"), step_post_data(dossier, "engagements"))
    assert refused.status_code != 302
    assert "date limite" in refused.content.decode()
    extend(closed_campaign, "Roubaix")
    response = client.post(step_url(dossier, "engagements"), step_post_data(dossier, "engagements"))
    assert response.status_code == 302
    assert submit_dossier(dossier.pk).created


def test_the_deadline_costs_one_query_per_dossier(closed_campaign, django_assert_num_queries):
    dossier = make_dossier(closed_campaign, commune("Roubaix"))
    with django_assert_num_queries(1):
        deadlines.dossier_closes_at(dossier)
        deadlines.dossier_is_open(dossier)


def test_an_open_call_is_open_without_reading_the_extensions(django_assert_num_queries):
    """Before the call's own deadline a dossier is writable whatever its extensions (they only
    move the deadline later): every save and step page skips that query; after it, the
    extension decides."""
    campaign = make_campaign(closes_in=timedelta(hours=1))
    dossier = make_dossier(campaign, commune("Roubaix"))
    extend(campaign, "Roubaix", hours=3)
    dossier = Dossier.objects.select_related("campaign").get(pk=dossier.pk)
    with django_assert_num_queries(0):
        assert deadlines.dossier_is_open(dossier)
    with django_assert_num_queries(1):
        assert deadlines.dossier_is_open(dossier, timezone.now() + timedelta(hours=2))
    assert not deadlines.dossier_is_open(dossier, timezone.now() + timedelta(hours=4))
    assert not deadlines.dossier_is_open(dossier, campaign.opens_at - timedelta(seconds=1))
