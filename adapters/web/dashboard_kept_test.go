package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Dashboards are kept as rendered: a kept page is still the request's
// own. Each user sees their own scope, name and navigation, each language its own,
// htmx the fragment it asks for, whoever asked before; a page of the past
// (as of) is made for its request.
func TestDashboardKeptPerRequest(t *testing.T) {
	c := newCity(t)
	_, other := elsewhere(t, c)
	target := c.url + "/dashboard?period=2025&level=compound"
	otherLink := `href="/compounds/` + other.ID + `"`
	for round := range 2 { // the second round reads what the first kept
		_, h, city := get(t, target, as("inspector")...)
		_, _, own := get(t, target, as("street_office")...)
		if !strings.Contains(city, otherLink) || strings.Contains(own, otherLink) {
			t.Fatalf("round %d: %s in the inspector's table %t, the street office's %t; want only the inspector's", round,
				other.ID, strings.Contains(city, otherLink), strings.Contains(own, otherLink))
		}
		_, _, auditor := get(t, target, as("auditor")...) // the whole city too
		if !strings.Contains(city, "<span>inspector ·") || !strings.Contains(own, "<span>street ·") || !strings.Contains(auditor, "<span>auditor ·") {
			t.Fatalf("round %d: a page names another user", round)
		}
		if !strings.Contains(h.Get("Vary"), "Cookie") || !strings.Contains(h.Get("Content-Type"), "text/html") {
			t.Fatalf("round %d: Vary %q, Content-Type %q", round, h.Get("Vary"), h.Get("Content-Type"))
		}
		_, _, en := get(t, target, append(as("inspector"), "Cookie", "lang=en")...)
		if !strings.Contains(city, "考核看板") || !strings.Contains(en, "Campaign dashboard") || strings.Contains(en, "考核看板") {
			t.Fatalf("round %d: the Chinese and English dashboards are not each in their language", round)
		}
		_, _, frag := get(t, target, append(as("inspector"), "HX-Request", "true", "HX-Target", "league")...)
		if !strings.HasPrefix(strings.TrimSpace(frag), `<div id="league"`) || !strings.Contains(city, "<html") {
			t.Fatalf("round %d: the htmx fragment is not the league part alone, or the page is not whole", round)
		}
		for _, asOf := range []string{"2025-06-30", "2025-03-31"} {
			status, _, past := get(t, target+"&as_of="+asOf, as("inspector")...)
			if status != http.StatusOK || !strings.Contains(past, `value="`+asOf+`"`) {
				t.Fatalf("round %d: the dashboard as of %s: %d", round, asOf, status)
			}
		}
	}
}

// A kept page lasts until its tables change: after a command, once the
// league tables have read its event, the dashboard shows them at its
// position, however often it was served before.
func TestDashboardFollowsEvents(t *testing.T) {
	c := newCity(t)
	target := c.url + "/dashboard?period=2025&level=compound"
	_, first, before := get(t, target, as("inspector")...)
	_, again, _ := get(t, target, as("inspector")...)
	if tag := first.Get("ETag"); tag == "" || again.Get("ETag") != tag {
		t.Fatalf("the same dashboard twice: ETag %q, then %q", tag, again.Get("ETag"))
	}
	if status, _, _ := get(t, target, append(as("inspector"), "If-None-Match", first.Get("ETag"))...); status != http.StatusNotModified {
		t.Fatalf("the dashboard with its own ETag in If-None-Match: %d, want 304", status)
	}
	if !strings.Contains(before, "事件位置 "+strconv.FormatUint(c.head, 10)) {
		t.Fatalf("the dashboard does not show the log's position %d", c.head)
	}
	form := url.Values{"name": {"更名后的小区"}, "reason": {"名称更正"}}
	if status, _, body := post(t, c.url+"/compounds/C0001/commands/rename-compound", form); status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", status, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events, err := c.store.ReadAll(ctx, c.head, 0)
	if err != nil || len(events) == 0 {
		t.Fatalf("the rename is not in the log: %v", err)
	}
	pos := events[len(events)-1].Position
	if err := c.league.WaitFor(ctx, pos); err != nil {
		t.Fatal(err)
	}
	// The first request after the event may be answered from the tables
	// before while they are computed again (league.Service); the page
	// follows them within moments.
	shown := "事件位置 " + strconv.FormatUint(pos, 10)
	for {
		_, h, after := get(t, target, as("inspector")...)
		if strings.Contains(after, shown) {
			if h.Get("ETag") == first.Get("ETag") {
				t.Fatalf("the page at position %d has the ETag of the page before, %q", pos, first.Get("ETag"))
			}
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("10 s after the rename was folded, the dashboard does not show position %d", pos)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
