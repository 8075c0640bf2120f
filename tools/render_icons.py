"""Render the app icons (static/icons/*.png) from their SVG sources with Debian's Chromium.

Run: .venv/bin/python tools/render_icons.py — the PNGs are committed; run it after editing an SVG.
Chromium is used because it is already what the browser tests need; no image library is added.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
# (source SVG, output PNG, size in pixels)
TARGETS = [
    ("icon.svg", "icon-192.png", 192),
    ("icon.svg", "icon-512.png", 512),
    ("icon.svg", "favicon-32.png", 32),
    ("icon-maskable.svg", "icon-maskable-512.png", 512),
    ("icon-maskable.svg", "apple-touch-icon.png", 180),
]


def main() -> None:
    """Render every target PNG."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for source, output, size in TARGETS:
            svg = (ICONS / source).read_text()
            sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f'<html><body style="margin:0">{sized}</body></html>')
            clip = {"x": 0, "y": 0, "width": size, "height": size}
            page.screenshot(path=str(ICONS / output), omit_background=True, clip=clip)
            page.close()
            print(f"{output}: {size}×{size}")
        browser.close()


if __name__ == "__main__":
    main()
