package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
)

// funcs are the templates' helpers; every label goes through the one table.
var funcs = template.FuncMap{
	"t": func(l labels.Lang, word string) string { return labels.Of(l, labels.Word, word) },
	"label": func(l labels.Lang, g, code any) string {
		return labels.Of(l, labels.Group(fmt.Sprint(g)), fmt.Sprint(code))
	},
	"date": func(t any) string {
		switch t := t.(type) {
		case time.Time:
			if t.IsZero() {
				return "—"
			}
			return t.In(domain.China).Format("2006-01-02")
		case domain.Date:
			if t.IsZero() {
				return "—"
			}
			return t.Format("2006-01-02")
		}
		return fmt.Sprint(t)
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(domain.China).Format("2006-01-02 15:04")
	},
	"field":   func(l labels.Lang, name string) string { return labels.Of(l, labels.Field, name) },
	"summary": summary,
	"figure":  figure,
	// json is for data attributes (chart options); html/template escapes it.
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"query": query,
	"add":   func(a, b int) int { return a + b },
}

// figure shows a metric value: rates as percentages, counts as numbers.
func figure(key string, v *float64) string {
	if v == nil {
		return "—"
	}
	switch key {
	case "complaints_per_1000":
		return fmt.Sprintf("%.1f", *v)
	case "overdue_measures", "listings", "expired_committees":
		return fmt.Sprintf("%.0f", *v)
	}
	if math.IsInf(*v, 0) || math.IsNaN(*v) {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *v*100)
}
