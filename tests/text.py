"""What a reader reads in an HTML page or a PDF: text without tags, entities decoded, and the
narrow no-break spaces of French typography (core.typography) read as spaces, so that tests can
look for « Prévu au 2e semestre 2023 » whether or not « 2e » is set as 2<sup>e</sup>."""
import io
import re
from html import unescape

_TAG = re.compile(r"<[^>]+>")


def visible_text(html: str) -> str:
    return unescape(_TAG.sub("", html)).replace("\u202f", " ").replace("\u00a0", " ")


def normalise_spaces(text: str) -> str:
    """Runs of spaces, line breaks, no-break and narrow no-break spaces read as one space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, line wraps and French spaces read as one space."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return normalise_spaces("\n".join(page.extract_text() or "" for page in reader.pages))
