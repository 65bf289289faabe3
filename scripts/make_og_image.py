"""Draw the default sharing image (Open Graph / Twitter card) from the BNM logo, once.

    .venv/bin/python scripts/make_og_image.py     # writes static/img/og-bnm.png (1200 × 630)

Run it again only when the logo or the colours change, then commit the PNG: the site serves the
file like any static file and no page asks another host for an image. It uses Playwright's
Chromium (/usr/bin/chromium, as the browser tests do) to draw static/img/logo-bnm.svg and the
site's name with the colours of static/css/main.css.
"""
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
LOGO = ROOT / "static" / "img" / "logo-bnm.svg"
OUTPUT = ROOT / "static" / "img" / "og-bnm.png"
WIDTH, HEIGHT = 1200, 630

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: {width}px; height: {height}px; overflow: hidden; }}
body {{ display: flex; flex-direction: column; background: #f4f7fb;
        font-family: "DejaVu Sans", "Liberation Sans", sans-serif; color: #0b4a86; }}
.main {{ flex: 1; display: flex; align-items: center; gap: 64px; padding: 0 88px; }}
.logo svg {{ width: 300px; height: 300px; display: block; filter: drop-shadow(0 6px 18px rgba(11, 74, 134, .18)); }}
.acronym {{ font-size: 44px; font-weight: bold; letter-spacing: .12em; color: #9c2f06; margin: 0 0 14px; }}
h1 {{ font-size: 66px; line-height: 1.08; margin: 0; }}
.owner {{ font-size: 34px; color: #1f2933; margin: 28px 0 0; }}
.band {{ display: flex; height: 28px; }}
.band span:first-child {{ flex: 1; background: #0b4a86; }}
.band span:last-child {{ flex: 1; background: #9c2f06; }}
</style></head><body>
<div class="main"><div class="logo">{logo}</div>
<div><p class="acronym">BNM</p><h1>Bibliothèque Numérique Métropolitaine</h1>
<p class="owner">Métropole Européenne de Lille</p></div></div>
<div class="band"><span></span><span></span></div>
</body></html>"""


def main():
    html = PAGE.format(width=WIDTH, height=HEIGHT, logo=LOGO.read_text())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_content(html)
        page.screenshot(path=str(OUTPUT), full_page=False)
        browser.close()
    print(f"{OUTPUT.relative_to(ROOT)}: {WIDTH} × {HEIGHT}")


if __name__ == "__main__":
    main()
