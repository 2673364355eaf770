"""axe-core, vendored under tests/vendor/axe-core, run in a Playwright page: the accessibility rules a page
breaks, every impact counted (minor ones too)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"


@cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """Run axe on the page as it stands (the context must bypass the app's CSP to inject it: bypass_csp=True)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_source())
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return found


def describe(path: str, found: list[dict]) -> list[str]:
    return [f"{path}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}" for v in found]
