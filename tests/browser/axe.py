"""axe-core (Deque, MPL-2.0) in the browser tests: WCAG 2.1 A and AA rules on a page.

``vendor/axe.min.js`` is axe-core 4.14.1 from the npm registry (``npm pack
axe-core@4.14.1``; licence beside it), kept in the repository so the tests need no Node
and no network. It goes in with ``page.evaluate`` (the DevTools protocol), which the
pages' Content Security Policy does not apply to, unlike an inline <script>.
"""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations
    .filter(v => v.impact === "critical" || v.impact === "serious")
    .map(v => `${v.impact} ${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


def axe_serious(page) -> list[str]:
    """The critical and serious WCAG 2.1 A/AA violations axe finds on the page as it is."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(RUN, WCAG_21_AA)


# Elements that stick out of the viewport on the right, outside any element that clips
# or scrolls them (a scrolling region is fine: it shows that it scrolls).
WIDER_THAN_VIEWPORT = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= vw + 0.5) continue;
    let clipped = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible" && a.getBoundingClientRect().right <= vw + 0.5) { clipped = true; break; }
    }
    if (!clipped) out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} right=${Math.round(r.right)}`);
  }
  if (document.documentElement.scrollWidth > vw) out.push(`page scrollWidth=${document.documentElement.scrollWidth}`);
  return out;
}"""


def wider_than_viewport(page) -> list[str]:
    return page.evaluate(WIDER_THAN_VIEWPORT)
