"""The scale's anchors and descriptors, always visible beside the ratings."""

from __future__ import annotations

from html import escape

from ..model.framework import Scale


def scale_legend_html(scale: Scale) -> str:
    rows = "".join(
        f"<tr><th scope='row'>{p.value} {escape(p.label)}</th><td>{escape(p.descriptor)}</td></tr>"
        for p in scale.points
    )
    if scale.dont_know:
        rows += (
            "<tr><th scope='row'>Don't know</th>"
            "<td>Choose this when you cannot say; it is not counted in the scores.</td></tr>"
        )
    return (
        f"<details class='coprod-legend' open><summary>What the ratings mean: "
        f"{escape(scale.title)}</summary><table><caption class='coprod-sr'>Rating scale</caption>"
        f"<tbody>{rows}</tbody></table></details>"
    )
