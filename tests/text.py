"""What a reader reads in an HTML page: text without tags, entities decoded, and the narrow
no-break spaces of French typography (core.typography) read as spaces, so that tests can look
for « Prévu au 2e semestre 2023 » whether or not « 2e » is set as 2<sup>e</sup>."""
import re
from html import unescape

_TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    return unescape(_TAG.sub("", html)).replace("\u202f", " ").replace("\u00a0", " ")
