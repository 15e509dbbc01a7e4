"""The server-drawn SVG charts: well-formed, escaped, scaled, with negatives below zero."""

from xml.etree import ElementTree

from sinergi.insights import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg) -> ElementTree.Element:
    return ElementTree.fromstring(str(svg))  # noqa: S314 - our own output


def test_horizontal_bars_escape_labels_and_scale_to_the_largest():
    root = _parse(charts.horizontal_bars([("<b>Jawa</b> & Bali", 10), ("Aceh", 5)], title="T"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<b>Jawa</b> & Bali" in texts  # escaped in the markup, whole in the text
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1]
    assert root.get("viewBox") == "0 0 320 60" and root.get("role") == "img"
    assert _parse(charts.horizontal_bars([], title="empty")).find(f"{SVG}title").text == "empty"


def test_grouped_bars_put_a_loss_below_the_zero_line():
    root = _parse(
        charts.grouped_bars(
            ["A", "B"], [("Profit", charts.GREEN, [1_000_000, -500_000])], title="Profit"
        )
    )
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    zero = next(
        float(line.get("y1"))
        for line in root.iter(f"{SVG}line")
        if line.get("stroke") == charts.INK
    )
    gain, loss = bars
    assert float(gain.get("y")) + float(gain.get("height")) == zero
    assert float(loss.get("y")) == zero
    assert "-Rp500.000" in loss.find(f"{SVG}title").text


def test_line_chart_has_a_point_per_label_and_a_legend():
    root = _parse(
        charts.line_chart(
            ["Jan", "Feb", "Mar"], [("Pendapatan", charts.BLUE, [0, 5, 2])], title="L"
        )
    )
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    assert "Pendapatan" in [t.text for t in root.iter(f"{SVG}text")]
