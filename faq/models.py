"""The FAQ page: questions grouped by theme (its schema.org FAQPage JSON-LD: home.seo.faq_page)."""
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.pagecache import CachedPageMixin
from home.routing import RoutedPageMixin

from .blocks import FaqStreamBlock


class FaqPage(CachedPageMixin, RoutedPageMixin, Page):
    intro = models.TextField("introduction", blank=True)
    body = StreamField(FaqStreamBlock(), verbose_name="questions par thème")

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = "page FAQ"

    def questions(self):
        for theme in self.body:
            yield from theme.value["questions"]
