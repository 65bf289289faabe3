"""What the search page shows for each result: its type and, for the FAQ, the questions that match."""
from __future__ import annotations

import unicodedata

from .seo import page_type_label, plain_text, truncate

MAX_QUESTIONS = 5


def _fold(text: str) -> str:
    """Lower case without accents: « Délibération » and « deliberation » compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _terms(query: str) -> list[str]:
    """The query's words, folded; a final plural s/x dropped (« logiciels » finds « logiciel »)."""
    terms = []
    for word in _fold(query).replace("’", " ").replace("'", " ").split():
        word = word.strip(".,;:!?«»\"()")
        if len(word) > 3 and word[-1] in "sx":
            word = word[:-1]
        if word:
            terms.append(word)
    return terms


def matching_questions(faq_page, query: str) -> list[dict]:
    """The FAQ's questions holding every word of the query (else any word), in page order."""
    terms = _terms(query)
    if not terms:
        return []
    questions = []
    for question in faq_page.questions():
        text = _fold(f"{question['question']} {plain_text(question['answer'].source)}")
        hits = sum(term in text for term in terms)
        if hits:
            questions.append((hits == len(terms), question))
    if any(every for every, _ in questions):
        questions = [item for item in questions if item[0]]
    return [
        {"question": question["question"], "anchor": question["anchor"],
         "excerpt": truncate(plain_text(question["answer"].source), 160)}
        for _, question in questions[:MAX_QUESTIONS]
    ]


def search_items(results, query: str, request=None) -> list[dict]:
    """One entry per result page: type label (« Actualité », « Événement », « Question fréquente »,
    « Page »), title, URL and description; a FAQ hit links to its first matching question's anchor
    and lists the others."""
    from faq.models import FaqPage

    items = []
    for result in results:
        model = result.specific_class
        url = result.get_url(request)
        item = {"type": page_type_label(model), "title": result.title, "url": url,
                "description": result.search_description, "questions": []}
        if model is not None and issubclass(model, FaqPage):
            questions = matching_questions(result.specific, query)
            if questions:
                first, *others = questions
                item.update(title=first["question"], url=f"{url}#{first['anchor']}", description=first["excerpt"],
                            questions=[{**q, "url": f"{url}#{q['anchor']}"} for q in others])
        items.append(item)
    return items
