"""Header and footer links and the site settings (BnmSettings, LegalSettings), cached between requests (a public page must stay within 10 queries).

The cache is cleared whenever a page is published, unpublished, moved or deleted, or a site
changes (and again when that change commits); with a per-process cache (no REDIS_URL) other processes see changes after MENU_TTL.
"""
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from wagtail.models import Page, Site

MENU_TTL = 300


def _key(site_id):
    return f"bnm:menus:v2:{site_id}"


def get_menus(request):
    if request is None:
        return _empty()
    cached = getattr(request, "_bnm_menus", None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request)
    if site is None:
        return _empty()
    menus = cache.get(_key(site.pk))
    if menus is None:
        menus = build_menus(site)
        cache.set(_key(site.pk), menus, MENU_TTL)
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


def clear_menus(**kwargs):
    """Forget the menus now and again once the change's transaction commits: menus another
    process builds before the commit come from the old rows (see core.pagecache.invalidate).
    After the commit the page cache's generation moves once more, after the menus are gone, so
    that no page stored in between keeps the old menus."""
    _delete_menus()
    transaction.on_commit(_after_commit)


def _after_commit():
    from core.pagecache import next_generation

    _delete_menus()
    next_generation()


def _settings_saved(created=False, **kwargs):
    if not created:  # created on first read (for_site), with the defaults the menus already hold
        clear_menus()


def _delete_menus():
    cache.delete_many([_key(site_id) for site_id in Site.objects.values_list("pk", flat=True)])


def connect_signals():
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(clear_menus, dispatch_uid="bnm_menus_published")
    page_unpublished.connect(clear_menus, dispatch_uid="bnm_menus_unpublished")
    post_page_move.connect(clear_menus, dispatch_uid="bnm_menus_moved")
    post_delete.connect(clear_menus, sender=Page, dispatch_uid="bnm_menus_deleted")
    post_save.connect(clear_menus, sender=Site, dispatch_uid="bnm_menus_site")
    post_save.connect(_settings_saved, sender="home.BnmSettings", dispatch_uid="bnm_menus_settings")
    post_save.connect(_settings_saved, sender="home.LegalSettings", dispatch_uid="bnm_menus_legal_settings")
