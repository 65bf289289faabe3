"""Header and footer links and the site settings (BnmSettings, LegalSettings), kept between
requests: built once per generation of core.pagecache (any publish, move, deletion, change of a
site or of a setting starts a new one, for every process at once), so that a public page costs no
query for them.
"""
from django.conf import settings
from django.urls import reverse
from wagtail.models import Page, Site

from core import pagecache


def get_menus(request):
    if request is None:
        return _empty()
    cached = getattr(request, "_bnm_menus", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request)
    if site is None:
        return _empty()
    menus = pagecache.cached(f"bnm:menus:{site.pk}", lambda: build_menus(site), request)
    request._bnm_menus = menus
    return menus


def _empty():
    from home.models import LegalSettings

    return {"main": [], "footer": [], "by_model": {}, "portal_url": settings.BNM_PORTAL_URL, "contact_email": settings.BNM_TEAM_EMAIL,
            "current_phase": "", "legal": LegalSettings(), "site_description": "", "funders": "",
            "home_url": reverse("wagtail_serve", args=[""])}


def build_menus(site):
    from home.models import StandardPage

    root = Page.objects.get(pk=site.root_page_id)
    children = Page.objects.child_of(root).live().select_related("content_type").order_by("path")
    main, by_model = [], {}
    for page in children:
        item = {"pk": page.pk, "title": page.title, "url": page.get_url(), "path": page.path}
        if page.show_in_menus:
            main.append(item)
        by_model.setdefault(page.content_type.model, item)
    presentation = by_model.get("presentationpage")
    if presentation is not None:
        # The home page's cards (PresentationPage.tool_cards, kept from its tool blocks on save).
        from home.models import PresentationPage

        presentation["tool_cards"] = PresentationPage.objects.filter(pk=presentation["pk"]).values_list(
            "tool_cards", flat=True
        ).first() or []
    footer = [
        {"pk": page.pk, "label": page.footer_label, "url": page.get_url()}
        for page in StandardPage.objects.descendant_of(root).live().exclude(footer_label="").order_by("path")
    ]
    from home.models import BnmSettings, LegalSettings

    site_settings = BnmSettings.for_site(site)
    return {
        "main": main, "footer": footer, "by_model": by_model,
        "portal_url": site_settings.portal_url, "contact_email": site_settings.contact_email,
        "current_phase": site_settings.current_phase.strip(),
        "legal": LegalSettings.for_site(site),  # read by the legal pages (includes/legal_information.html)
        # The home page's search description: every page's meta description when it has none of its own (home.seo).
        "site_description": root.search_description.strip(),
        "funders": site_settings.funders.strip(),
        "home_url": root.get_url() or reverse("wagtail_serve", args=[""]),
    }
