"""The overview's bar charts (quotes.overview.charts): bars scale to the largest value in
per cent of the chart's width, a small figure stays visible, a long bar carries its text
inside, and the chart is as tall as its rows."""

from decimal import Decimal

from quotes.overview.charts import BAR_GAP, BAR_HEIGHT, GROUP_GAP, LABEL_HEIGHT, BarSpec, bar_chart


def spec(value) -> BarSpec:
    return BarSpec(value, str(value), f"Värde {value}", f"/offerter/?v={value}")


def test_bars_scale_to_the_largest_value():
    chart = bar_chart(id="c", title="T", groups=[("A", [spec(200)]), ("B", [spec(50)]), ("C", [spec(0)]), ("D", [spec(Decimal("0.5"))])])
    widths = [g.bars[0].width for g in chart.groups]
    assert widths == ["100.00", "25.00", "0.00", "0.50"]  # 0.25 % would vanish: shown as 0.5 %
    assert [g.bars[0].inside for g in chart.groups] == [True, False, False, False]
    assert not chart.empty


def test_rows_stack_without_overlap():
    chart = bar_chart(id="c", title="T", groups=[("Jan", [spec(1), spec(2)]), ("Feb", [spec(3), spec(4)])])
    first, second = chart.groups
    assert first.bars[1].y == first.bars[0].y + BAR_HEIGHT + BAR_GAP
    assert second.label_y > first.bars[1].y + BAR_HEIGHT
    group = LABEL_HEIGHT + 2 * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    assert second.bars[0].y == group + LABEL_HEIGHT
    assert chart.height >= second.bars[1].y + BAR_HEIGHT


def test_a_chart_of_zeros_is_empty():
    assert bar_chart(id="c", title="T", groups=[("A", [spec(0)])]).empty
