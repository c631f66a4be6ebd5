"""Accessibility checks run on a page in Chromium.

* ``axe_problems``: axe-core (the npm package in tests/browser/axe, installed by install.sh) with
  the WCAG 2.0 / 2.1 A and AA rules; serious and critical violations.  axe is added to the context
  as an init script (the DevTools protocol injects it, so the page's Content-Security-Policy stays
  on and is still checked by the ``csp_violations`` fixture).
* ``structure_problems``: what axe does not count but the pages promise: one h1 and no skipped
  heading level; every id named by aria-describedby / aria-labelledby / for exists; no control with
  two labels; no empty header cell; nothing wider than the screen.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def add_axe(context) -> None:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run PORTAL_WITH_BROWSER=1 sh portal/scripts/install.sh")
    context.add_init_script(path=str(AXE))


def axe_problems(page) -> list[str]:
    violations = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
            `${v.id} (${v.impact}): ${v.help} — ` + v.nodes.slice(0, 4).map(n =>
                n.target.join(" ") + " " + (n.any.concat(n.all)[0] || {message: ""}).message).join(" | "));
    }""", WCAG_TAGS)
    return violations


STRUCTURE = """() => {
    const problems = [];
    const headings = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
        .filter(h => h.getClientRects().length || h.closest("details"));
    const ones = headings.filter(h => h.tagName === "H1").length;
    if (ones !== 1) problems.push(`${ones} h1 on the page`);
    let previous = 0;
    for (const h of headings) {
        const level = Number(h.tagName[1]);
        if (previous && level > previous + 1) problems.push(`heading ${h.tagName} "${h.textContent.trim().slice(0, 20)}" after H${previous}`);
        previous = level;
    }
    for (const attr of ["aria-describedby", "aria-labelledby", "aria-controls"]) {
        for (const el of document.querySelectorAll(`[${attr}]`)) {
            if (el.closest("template")) continue;
            for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) problems.push(`${attr} points at missing #${id} (${el.name || el.tagName})`);
            }
        }
    }
    for (const label of document.querySelectorAll("label[for]")) {
        if (!document.getElementById(label.htmlFor)) problems.push(`label for missing #${label.htmlFor}`);
    }
    for (const control of document.querySelectorAll("input, select, textarea")) {
        if (control.labels && control.labels.length > 1) problems.push(`${control.name || control.id} has ${control.labels.length} labels`);
    }
    for (const th of document.querySelectorAll("th")) {
        if (!th.textContent.trim() && !th.querySelector("[aria-label]") && !th.getAttribute("aria-label")) {
            problems.push("empty header cell");
        }
    }
    const width = document.documentElement.scrollWidth, screen = document.documentElement.clientWidth;
    if (width > screen + 1) problems.push(`page ${width}px wide on a ${screen}px screen`);
    return problems;
}"""


def structure_problems(page) -> list[str]:
    return page.evaluate(STRUCTURE)
