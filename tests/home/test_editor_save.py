"""An editor opens and saves, unchanged, every page `load_bnm_content` creates.

The seed's rich text must be something Draftail reads back (a raw `<br>` made the editor of
« Mentions légales » and « Contact » an HTTP 500), and the form, submitted as the browser
submits it, must validate: a 302 back to the editor, no error message, and the public page
saying the same words with the same links after the publication.
"""
import re
from html import unescape

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.urls import reverse
from wagtail.models import Page

from ami.backoffice.groups import EDITORS_GROUP

from .editor_form import edit_form_post_data


def visible_text_and_links(html: str) -> tuple[str, list[str]]:
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    links = sorted(re.findall(r'href="([^"]+)"', main))
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())
    return text, links


@pytest.mark.django_db
def test_editor_opens_and_saves_every_page_unchanged(content, client):
    editor = User.objects.create_user("editrice", "editrice@example.org", "motdepasse-solide", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    pages = list(Page.objects.filter(depth__gt=1).order_by("path").specific())
    assert len(pages) >= 20
    before = {page.pk: visible_text_and_links(client.get(page.url).content.decode()) for page in pages}

    client.force_login(editor)
    problems = []
    for page in pages:
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        response = client.get(url)
        if response.status_code != 200:
            problems.append(f"{page.url}: editor answered {response.status_code}")
            continue
        data = edit_form_post_data(response.content.decode(), page)
        data["action-publish"] = "action-publish"
        response = client.post(url, data)
        if response.status_code != 302:
            errors = re.findall(r'class="error-message"[^>]*>(.*?)<', response.content.decode(), re.S)
            problems.append(f"{page.url}: save answered {response.status_code} {errors[:3]}")
    assert not problems, "\n".join(problems)

    client.logout()
    cache.clear()
    for page in pages:
        page.refresh_from_db()
        assert page.latest_revision is not None and page.live, page.url  # the publication went through
        after = visible_text_and_links(client.get(page.url).content.decode())
        assert after == before[page.pk], page.url
