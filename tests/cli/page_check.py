#!/usr/bin/python3
"""Checks the report page as a person sees it, in Debian's headless Chromium:
on screen (1280x900) and printed to PDF (A4 landscape).

  page_check.py PAGE.html WORKDIR

Glyphs: the page's title is compared against the same page with every
Japanese letter replaced by the next one (部 → 郦, の → は, ア → ィ). A
browser without a Japanese font draws each as the same box (tofu), and the
two titles look the same; with one, they differ in most of their ink. (A
letter no font has would be the box itself, but boxes differ in width
between the screen and print, and so would the two titles.) Layout: nothing wider than the window, each
department on one line, header cells on one line; the printed page is A4
landscape, the table reaching the right margin with its border.

Prints one line per check and exits 1 when any fails. FONTCONFIG_FILE is
passed on to Chromium, so a test can take the Japanese fonts away.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops

# Kanji, hiragana, katakana and full-width forms, each but its last letter,
# so that the next is in the same block and as wide.
JAPANESE = re.compile("[\u4e00-\u9fee\u3041-\u3094\u30a1-\u30f8\uff01-\uff5d]")


def swapped(text):
    return JAPANESE.sub(lambda m: chr(ord(m.group(0)) + 1), text)
INK = 128  # grey level below which a pixel is ink

PROBE = """<script>
window.addEventListener('load', () => {
  const one = (e) => e.getClientRects().length === 1;
  const line = (e) => e.getBoundingClientRect().height <=
      1.8 * parseFloat(getComputedStyle(e).lineHeight || '20') + 12;
  const out = {
    window: innerWidth,
    scroll: document.documentElement.scrollWidth,
    departments: document.querySelectorAll('td.dept span').length,
    broken: [...document.querySelectorAll('td.dept span')].filter((e) => !one(e))
        .map((e) => e.textContent),
    headers: [...document.querySelectorAll('thead th')].filter((e) => !line(e))
        .map((e) => e.textContent),
  };
  const pre = document.createElement('pre');
  pre.id = 'layout-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def chromium(work, *args):
    command = ["timeout", "120", "chromium", "--headless", "--no-sandbox", "--disable-gpu",
               "--hide-scrollbars", "--no-first-run", "--disable-background-networking",
               "--window-size=1280,900", f"--user-data-dir={work / 'chromium'}", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def first_band(image):
    """The rows of the first run of ink from the top: the page's title."""
    width, height = image.size
    pixels = image.load()
    rows = [y for y in range(height) if any(pixels[x, y] < INK for x in range(0, width, 2))]
    if not rows:
        return None
    end = rows[0]
    while end + 1 < height and end + 1 in rows:
        end += 1
    return max(rows[0] - 4, 0), min(end + 5, height)


def glyphs(name, real_png, other_png):
    real = Image.open(real_png).convert("L")
    other = Image.open(other_png).convert("L")
    band = first_band(real)
    if band is None:
        return f"FAIL {name} glyphs: the page is blank"
    crop = (0, band[0], real.width, band[1])
    real, other = real.crop(crop), other.crop(crop)
    ink = sum(1 for v in real.getdata() if v < INK)
    differ = sum(1 for v in ImageChops.difference(real, other).getdata() if v > 48)
    ratio = differ / max(ink, 1)
    if ratio < 0.5:
        return (f"FAIL {name} glyphs: tofu (other letters change {ratio:.2f} of the title's "
                "ink: each is drawn as the same box)")
    return f"ok {name} glyphs (other letters change {ratio:.2f} of the title's ink)"


def layout(work, page):
    probe = work / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    dom = chromium(work, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="layout-probe">(.*?)</pre>', dom)
    if not found:
        return ["FAIL layout: the probe did not run"]
    facts = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    lines = []
    ok = facts["scroll"] <= facts["window"]
    lines.append(f"{'ok' if ok else 'FAIL'} layout width: {facts['scroll']} px "
                 f"in a {facts['window']} px window")
    ok = facts["departments"] > 0 and not facts["broken"]
    lines.append(f"{'ok' if ok else 'FAIL'} layout departments: {facts['departments']}, "
                 f"broken across lines: {facts['broken']}")
    lines.append(f"{'ok' if not facts['headers'] else 'FAIL'} layout headers on one line; "
                 f"wrapped: {facts['headers']}")
    return lines


def printed(work, page, other):
    lines = []
    for source, pdf in ((page, work / "page.pdf"), (other, work / "other.pdf")):
        chromium(work, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri())
        subprocess.run(["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-singlefile", "-png",
                        str(pdf), str(pdf.with_suffix(""))], check=True)
    info = subprocess.run(["pdfinfo", str(work / "page.pdf")], capture_output=True, text=True,
                          check=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    width, height = float(size.group(1)), float(size.group(2))
    ok = abs(width - 842) < 2 and abs(height - 595) < 2
    lines.append(f"{'ok' if ok else 'FAIL'} print: {width:.0f} x {height:.0f} pt "
                 f"(A4 landscape is 842 x 595), {pages} pages")
    lines.append(glyphs("print", work / "page.png", work / "other.png"))
    # On every page the rightmost ink stays inside the 12 mm margin, and on
    # the pages with a table it is the table's border, a line: a table cut
    # off at the edge would end in text instead.
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(work / "page.pdf"),
                    str(work / "printed")], check=True)
    nearest, lines_at_margin = None, 0
    for png in sorted(work.glob("printed-*.png")):
        ink = Image.open(png).convert("L").point(lambda v: 255 if v < 200 else 0)
        box = ink.getbbox()
        if box is None:
            continue
        right = box[2] - 1
        margin = ink.width - 1 - right
        nearest = margin if nearest is None else min(nearest, margin)
        column = ink.crop((right, 0, right + 1, ink.height))
        if 40 <= margin <= 56 and sum(1 for v in column.getdata() if v) > ink.height // 3:
            lines_at_margin += 1
    ok = nearest is not None and nearest >= 40 and lines_at_margin > 0
    lines.append(f"{'ok' if ok else 'FAIL'} print width: ink at least {nearest} px from the "
                 f"right edge (12 mm is 47); {lines_at_margin} pages end in a table's border "
                 "at the margin")
    return lines


def main(page, work):
    page, work = Path(page).resolve(), Path(work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    other = work / "other.html"
    other.write_text(swapped(page.read_text(encoding="utf-8")), encoding="utf-8")
    chromium(work, f"--screenshot={work / 'screen.png'}", page.as_uri())
    chromium(work, f"--screenshot={work / 'screen-other.png'}", other.as_uri())
    lines = [glyphs("screen", work / "screen.png", work / "screen-other.png")]
    lines += layout(work, page)
    lines += printed(work, page, other)
    print("\n".join(lines))
    return 1 if any(line.startswith("FAIL") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
