package web

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections/league"
)

// tableBody lays out the rows of the league table's page, each cell
// linked to the unit or to the events behind its figure. A page has a
// hundred rows of twenty links: html/template escaped each link through
// three reflective calls, most of a render on a big city, so the rows are
// written here, every text and attribute escaped once.
func tableBody(l labels.Lang, f leagueForm, rows []league.Row) template.HTML {
	if len(rows) == 0 {
		return template.HTML(`<tr><td colspan="5">` + template.HTMLEscapeString(labels.Of(l, labels.Word, "empty")) + `</td></tr>`)
	}
	esc := template.HTMLEscapeString
	explain := explainLink(f)
	dashboard := esc(query("/dashboard", f.params()...)) + "&amp;unit="
	chartUnit := esc(labels.Of(l, labels.Word, "chart_this_unit"))
	rising := `<span class="badge warn" title="` + esc(labels.Of(l, labels.Column, "rising")) + `">↑ ` +
		esc(labels.Of(l, labels.Word, "rising_flag")) + `</span>`
	var b strings.Builder
	for i, row := range rows {
		presize(&b, i, len(rows))
		unit := url.QueryEscape(row.Unit)
		b.WriteString("<tr>\n<td class=\"num\">")
		b.WriteString(strconv.Itoa(row.Rank))
		b.WriteString(`</td>` + "\n" + `<th scope="row"><a href="`)
		if f.Level == string(league.LevelCompound) {
			b.WriteString("/compounds/" + esc(url.PathEscape(row.Unit)) + `">`)
		} else {
			b.WriteString(dashboard + unit + `" title="` + chartUnit + `">`)
		}
		b.WriteString(esc(row.Name) + "</a></th>\n")
		b.WriteString(`<td class="num"><a href="` + explain + unit + `">` + strconv.FormatFloat(row.Score, 'f', 1, 64) + "</a></td>\n<td>")
		if row.List != "" {
			b.WriteString(`<span class="badge ` + esc(row.List) + `">` + esc(labels.Of(l, labels.List, row.List)) + `</span>`)
		}
		b.WriteString("</td>\n<td>")
		if row.Rising {
			b.WriteString(rising)
		}
		b.WriteString("</td>\n")
		for _, v := range row.Metrics {
			b.WriteString(`<td class="num"><a href="` + explain + unit + "&amp;metric=" + url.QueryEscape(v.Key) + `">` +
				esc(figure(v.Key, v.Value)) + "</a></td>")
		}
		b.WriteString("\n</tr>\n")
	}
	return template.HTML(b.String())
}

// explainLink is the escaped start of the links to the explanations of
// the table's units: query sorts its parameters and unit sorts last, so a
// unit's link is its level's with the unit added.
func explainLink(f leagueForm) string {
	return template.HTMLEscapeString(query("/explain", "level", f.Level, "period", f.Period, "as_of", f.AsOf)) + "&amp;unit="
}

// listItems lays out a red or black list: each unit with its score,
// linked to its explanation; written as the table's rows are.
func listItems(f leagueForm, rows []league.Row) template.HTML {
	explain := explainLink(f)
	var b strings.Builder
	for i, row := range rows {
		presize(&b, i, len(rows))
		b.WriteString(`<li><a href="` + explain + url.QueryEscape(row.Unit) + `">` + template.HTMLEscapeString(row.Name) +
			`</a> <span class="num">` + strconv.FormatFloat(row.Score, 'f', 1, 64) + "</span></li>")
	}
	return template.HTML(b.String())
}

// presize makes room, once the first item of n is written, for the rest
// at about its length: one allocation, where growing by doubling made a
// page's rows allocate twice their size (garbage a busy collector makes
// the request pay for).
func presize(b *strings.Builder, i, n int) {
	if i == 1 {
		b.Grow(b.Len() * (n - 1) * 9 / 8)
	}
}
