"""The FAQ page: questions grouped by theme, with schema.org FAQPage structured data."""
from html import unescape

from django.db import models
from django.utils.html import strip_tags
from django.utils.text import normalize_newlines
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core.public_urls import page_url

from .blocks import FaqStreamBlock


class FaqPage(Page):
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

    def structured_data(self, request=None):
        """schema.org FAQPage, answers as plain text."""
        base = page_url(self)
        entities = []
        for question in self.questions():
            text = " ".join(unescape(normalize_newlines(strip_tags(question["answer"].source))).split())
            entity = {
                "@type": "Question",
                "name": question["question"],
                "acceptedAnswer": {"@type": "Answer", "text": text},
            }
            if base:
                entity["url"] = f"{base}#{question['anchor']}"
            entities.append(entity)
        return {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": entities}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["structured_data"] = self.structured_data(request)
        return context
