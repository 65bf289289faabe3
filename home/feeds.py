"""RSS feed of the news (django.contrib.syndication)."""
import datetime as dt

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed

from core.public_urls import page_url

from .dates import PARIS


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "fr"
    description = "Les actualités de la Bibliothèque Numérique Métropolitaine de la Métropole Européenne de Lille."

    def __init__(self, index_page):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return f"{self.index_page.title} – Bibliothèque Numérique Métropolitaine"

    def link(self):
        return page_url(self.index_page, self.request)

    def feed_url(self):
        return page_url(self.index_page, self.request) + "rss/"

    def items(self):
        return self.index_page.news()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return page_url(item, self.request)

    def item_pubdate(self, item):
        return dt.datetime.combine(item.date, dt.time(9, 0), tzinfo=PARIS)

    def item_updateddate(self, item):
        return item.last_published_at

    def item_guid(self, item):
        return f"news-{item.pk}@bnm.lillemetropole.fr"

    item_guid_is_permalink = False
