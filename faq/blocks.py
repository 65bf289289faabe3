"""FAQ blocks: themes holding questions, each question a disclosure with its own anchor."""
from wagtail import blocks

ANSWER_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class QuestionBlock(blocks.StructBlock):
    anchor = blocks.RegexBlock(regex=r"^[a-z0-9-]+$", label="ancre", help_text="Identifiant de la question (#ancre).")
    question = blocks.CharBlock(label="question")
    answer = blocks.RichTextBlock(label="réponse", features=ANSWER_FEATURES)

    class Meta:
        icon = "help"
        label = "question"


class ThemeBlock(blocks.StructBlock):
    anchor = blocks.RegexBlock(regex=r"^[a-z0-9-]+$", label="ancre")
    title = blocks.CharBlock(label="thème")
    questions = blocks.ListBlock(QuestionBlock(), label="questions")

    class Meta:
        icon = "folder-open-inverse"
        label = "thème"
        template = "blocks/faq_theme_block.html"


class FaqStreamBlock(blocks.StreamBlock):
    theme = ThemeBlock()
