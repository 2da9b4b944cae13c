package http

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
)

const maxPageSize = 1000

// page is the pagination of a list: at most limit items after the one the
// cursor names. A cursor is opaque to clients; it names the list it came
// from (its scope), so that one list's cursor is refused by another.
type page struct {
	limit int    // 0: every item
	after string // the key of the last item already seen; "": from the start
	scope string
}

// page reads limit and cursor for the list named by scope.
func (p *params) page(scope string) page {
	return p.pageOf(scope, func(after string) bool { return after != "" })
}

// pageOf reads limit and cursor for the list named by scope, whose keys
// are those valid accepts.
func (p *params) pageOf(scope string, valid func(after string) bool) page {
	pg := page{scope: scope}
	if s := p.q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			p.fail("limit", "param.limit", "must be an integer from 1 to "+strconv.Itoa(maxPageSize), "须为 1 至 "+strconv.Itoa(maxPageSize)+" 的整数")
		}
		pg.limit = n
	}
	if s := p.q.Get("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		sc, after, ok := strings.Cut(string(b), "\x00")
		if err != nil || !ok || sc != scope || !valid(after) {
			p.fail("cursor", "param.cursor", "is not a cursor of this list; pass next_cursor from its previous page", "不是此列表的游标；请使用上一页返回的 next_cursor")
		}
		pg.after = after
	}
	return pg
}

// cut returns the items of the page from a list sorted by key (ascending,
// as strings), and the cursor of the next page ("" on the last one).
func cut[T any](pg page, items []T, key func(T) string) ([]T, string) {
	if pg.after != "" {
		items = items[sort.Search(len(items), func(i int) bool { return key(items[i]) > pg.after }):]
	}
	if pg.limit == 0 || len(items) <= pg.limit {
		return items, ""
	}
	items = items[:pg.limit]
	return items, pg.cursor(key(items[len(items)-1]))
}

// cursor is the cursor of the page after the item of key.
func (pg page) cursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(pg.scope + "\x00" + key))
}

// ranked reads limit and cursor for a ranked list (a league table), whose
// order is not that of a key: its cursor names how many items came before
// the page. limit is def when not given (0: every item).
func (p *params) ranked(scope string, def int) (pg page, from int) {
	pg = p.pageOf(scope, func(after string) bool {
		n, err := strconv.Atoi(after)
		if err != nil || n < 1 || strconv.Itoa(n) != after { // one spelling of each cursor
			return false
		}
		from = n
		return true
	})
	if pg.limit == 0 {
		pg.limit = def
	}
	return pg, from
}

// window is the page of a ranked list from item from, and the cursor of
// the next page ("" on the last one).
func window[T any](pg page, from int, items []T) ([]T, string) {
	items = items[min(from, len(items)):]
	if pg.limit == 0 || len(items) <= pg.limit {
		return items, ""
	}
	return items[:pg.limit], pg.cursor(strconv.Itoa(from + pg.limit))
}
