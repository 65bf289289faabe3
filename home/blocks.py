"""StreamField blocks of the presentation and standard pages (templates in templates/blocks/)."""
from wagtail import blocks

from home.routing import RENDERING_TREE

RICH_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class SitePageChooserBlock(blocks.PageChooserBlock):
    """A page of the site. While a public page routed with the site's tree is rendered
    (home.routing.RENDERING_TREE), the chosen pages are taken from that tree (title, URL) instead
    of a query; anywhere else (the admin, a page outside the tree), from the database."""

    def bulk_to_python(self, values):
        tree = RENDERING_TREE.get()
        if tree is not None:
            found = [tree.by_pk.get(value) if value is not None else None for value in values]
            if all(page is not None for page, value in zip(found, values, strict=True) if value is not None):
                return [page.as_page() if page is not None else None for page in found]
        return super().bulk_to_python(values)


class LinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(label="intitulé")
    page = SitePageChooserBlock(label="page du site", required=False)
    url = blocks.URLBlock(label="adresse externe", required=False, help_text="Si aucune page du site n’est choisie.")
    description = blocks.CharBlock(label="précision", required=False)

    class Meta:
        icon = "link"
        label = "lien"


class SectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label="titre")
    anchor = blocks.RegexBlock(
        regex=r"^[a-z0-9-]+$", label="ancre", help_text="Identifiant de la section dans l’adresse (#ancre)."
    )
    body = blocks.RichTextBlock(label="texte", features=RICH_FEATURES)

    class Meta:
        icon = "doc-full"
        label = "section"
        template = "blocks/section_block.html"


# The pictograms drawn for the three tools (templates/includes/pictogram.html); the same names
# as the calendar's categories (home.models.EventCategory).
TOOL_PICTOGRAMS = [
    ("sigb", "Logiciel de gestion (un écran et des livres)"),
    ("ressources", "Ressources en ligne (une tablette et une lecture)"),
    ("mediation", "Médiation numérique (une personne et une bulle)"),
]


class ToolBlock(blocks.StructBlock):
    """One of the three BNM tools, with the four headings of the seed."""

    anchor = blocks.RegexBlock(regex=r"^[a-z0-9-]+$", label="ancre")
    title = blocks.CharBlock(label="titre")
    pictogram = blocks.ChoiceBlock(choices=TOOL_PICTOGRAMS, required=False, label="pictogramme")
    subtitle = blocks.CharBlock(label="sous-titre", required=False)
    summary = blocks.TextBlock(label="résumé", help_text="Affiché sur la carte de la page d’accueil.")
    calendar = blocks.ListBlock(blocks.CharBlock(label="étape"), label="calendrier prévisionnel")
    objectives = blocks.ListBlock(blocks.CharBlock(label="objectif"), label="objectifs")
    audience = blocks.ListBlock(blocks.CharBlock(label="public"), label="public cible")
    cost = blocks.RichTextBlock(label="coût", features=RICH_FEATURES)

    class Meta:
        icon = "cogs"
        label = "outil"
        template = "blocks/tool_block.html"


class ConditionsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label="titre")
    anchor = blocks.RegexBlock(regex=r"^[a-z0-9-]+$", label="ancre")
    intro = blocks.RichTextBlock(label="introduction", features=RICH_FEATURES)
    lead_in = blocks.CharBlock(label="phrase d’introduction de la liste", required=False)
    commitments = blocks.ListBlock(blocks.TextBlock(label="engagement"), label="engagements")

    class Meta:
        icon = "list-ul"
        label = "conditions d’accès"
        template = "blocks/conditions_block.html"


class GovernanceBodyBlock(blocks.StructBlock):
    name = blocks.CharBlock(label="instance")
    role = blocks.TextBlock(label="rôle")


class GovernanceBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label="titre")
    anchor = blocks.RegexBlock(regex=r"^[a-z0-9-]+$", label="ancre")
    intro = blocks.RichTextBlock(label="introduction", features=RICH_FEATURES, required=False)
    bodies = blocks.ListBlock(GovernanceBodyBlock(), label="instances")

    class Meta:
        icon = "group"
        label = "modalités de pilotage"
        template = "blocks/governance_block.html"


class LinksBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label="titre")
    anchor = blocks.RegexBlock(regex=r"^[a-z0-9-]+$", label="ancre")
    links = blocks.ListBlock(LinkBlock(), label="liens")

    class Meta:
        icon = "link"
        label = "liens utiles"
        template = "blocks/links_block.html"


class PresentationStreamBlock(blocks.StreamBlock):
    section = SectionBlock()
    tool = ToolBlock()
    conditions = ConditionsBlock()
    governance = GovernanceBlock()
    links = LinksBlock()
