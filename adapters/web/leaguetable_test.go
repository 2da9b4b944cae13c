package web

import (
	"strings"
	"testing"

	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections/league"
)

// The table's rows are written without html/template: every name, code
// and link must still come out escaped, and every figure link to the
// events behind it.
func TestTableBodyEscapes(t *testing.T) {
	v := 0.5
	rows := []league.Row{{Rank: 1, Unit: `城东区/<b>"东湖"&`, Name: `<script>alert("x")</script>`, Score: 87.25, List: "red", Rising: true,
		Metrics: []league.Value{{Key: "response_rate", Value: &v}, {Key: "listings"}}}}
	f := leagueForm{Level: "street", Period: "2025", AsOf: "2026-01-31"}
	body := string(tableBody(labels.ZH, f, rows))
	for _, bad := range []string{"<script>", "<b>", `"东湖"`, "&unit=", "&metric="} {
		if strings.Contains(body, bad) {
			t.Errorf("unescaped %q in %s", bad, body)
		}
	}
	want := []string{
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`,
		`<td class="num">1</td>`,
		`>87.2</a>`, // %.1f of 87.25, as the template's printf showed it
		`href="/explain?as_of=2026-01-31&amp;level=street&amp;period=2025&amp;unit=%E5%9F%8E%E4%B8%9C%E5%8C%BA%2F%3Cb%3E%22%E4%B8%9C%E6%B9%96%22%26"`,
		`&amp;metric=response_rate">50.0%</a>`,
		`&amp;metric=listings">—</a>`,
		`title="` + labels.Of(labels.ZH, labels.Word, "chart_this_unit") + `"`,
		`<span class="badge red">` + labels.Of(labels.ZH, labels.List, "red") + `</span>`,
		`↑ ` + labels.Of(labels.ZH, labels.Word, "rising_flag"),
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("no %s in %s", w, body)
		}
	}
	// A list item links to the unit's explanation, its name escaped.
	if items := string(listItems(f, rows)); !strings.Contains(items, `<li><a href="/explain?as_of=2026-01-31&amp;level=street&amp;period=2025&amp;unit=%E5%9F%8E`) ||
		!strings.Contains(items, `&lt;script&gt;`) || !strings.Contains(items, `<span class="num">87.2</span></li>`) {
		t.Errorf("list item: %s", items)
	}
	// A compound links to its case file; an empty page says so.
	f.Level = "compound"
	rows[0].Unit = "C 1/x"
	if body := string(tableBody(labels.EN, f, rows)); !strings.Contains(body, `<a href="/compounds/C%201%2Fx">`) {
		t.Errorf("compound link in %s", body)
	}
	if body := string(tableBody(labels.EN, f, nil)); !strings.Contains(body, labels.Of(labels.EN, labels.Word, "empty")) {
		t.Errorf("empty table: %s", body)
	}
}
