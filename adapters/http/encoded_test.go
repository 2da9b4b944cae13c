package http

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/domain"
)

func gunzipBody(t *testing.T, rec *httptest.ResponseRecorder) []byte {
	t.Helper()
	z, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// twoStreets registers a compound in each of two streets, folded.
func twoStreets(f *fixture, feed func()) {
	f.ok("c1", "register", registerBody)
	f.ok("c2", "register", strings.Replace(registerBody, "中关村", "学院路", 1))
	feed()
}

// A league table is answered with an ETag; If-None-Match with it is a 304
// without a body until an event changes the table; gzip is sent to those
// who accept it, and is the same JSON.
func TestLeagueETagAndGzip(t *testing.T) {
	f, _, feed := leagueFixture(t)
	twoStreets(f, feed)
	target := fmt.Sprintf("/api/v1/league/street?period=%d", f.now.In(domain.China).Year())

	first := f.do("GET", target, nil)
	tag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || tag == "" || first.Header().Get("Content-Encoding") != "" {
		t.Fatalf("first read: %d, ETag %q, Content-Encoding %q", first.Code, tag, first.Header().Get("Content-Encoding"))
	}
	again := f.do("GET", target, nil)
	if again.Header().Get("ETag") != tag || again.Body.String() != first.Body.String() {
		t.Fatalf("the same table read twice: ETag %q then %q", tag, again.Header().Get("ETag"))
	}

	notModified := f.do("GET", target, nil, "If-None-Match", `"other", `+tag)
	if notModified.Code != http.StatusNotModified || notModified.Body.Len() != 0 || notModified.Header().Get("ETag") != tag {
		t.Fatalf("If-None-Match with the current tag: %d, %d bytes, ETag %q", notModified.Code, notModified.Body.Len(), notModified.Header().Get("ETag"))
	}
	if other := f.do("GET", target, nil, "If-None-Match", `W/"not-it"`); other.Code != http.StatusOK {
		t.Fatalf("If-None-Match with another tag: %d, want 200", other.Code)
	}

	zipped := f.do("GET", target, nil, "Accept-Encoding", "br, gzip;q=0.8")
	if zipped.Header().Get("Content-Encoding") != "gzip" || !slices.Contains(zipped.Header().Values("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip accepted: Content-Encoding %q, Vary %q", zipped.Header().Get("Content-Encoding"), zipped.Header().Values("Vary"))
	}
	if zipped.Body.Len() >= first.Body.Len() || !bytes.Equal(gunzipBody(t, zipped), first.Body.Bytes()) {
		t.Fatalf("the gzip body (%d bytes) is not the JSON (%d bytes) compressed", zipped.Body.Len(), first.Body.Len())
	}
	if zipped.Header().Get("ETag") != tag {
		t.Fatalf("gzip and plain bodies tagged %q and %q", zipped.Header().Get("ETag"), tag)
	}
	if refused := f.do("GET", target, nil, "Accept-Encoding", "gzip;q=0"); refused.Header().Get("Content-Encoding") != "" {
		t.Fatal("gzip sent to a client that refuses it (q=0)")
	}

	// A new event: the table moves on, and so does its tag.
	res := f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`)
	feed()
	moved := f.do("GET", fmt.Sprintf("%s&min_position=%d", target, res.Position), nil, "If-None-Match", tag)
	if moved.Code != http.StatusOK || moved.Header().Get("ETag") == tag {
		t.Fatalf("after a new event: %d, ETag %q (was %q)", moved.Code, moved.Header().Get("ETag"), tag)
	}
	if got := decode[tableJSON](t, moved).Position; got < res.Position {
		t.Fatalf("after a new event the table is at position %d, want %d", got, res.Position)
	}
}

// The cache keeps one answer per caller's scope: a street office's
// compound table holds its own compounds only, whoever asked before.
func TestLeagueEncodedPerScope(t *testing.T) {
	f, _, feed := leagueFixture(t)
	twoStreets(f, feed)
	target := fmt.Sprintf("/api/v1/league/compound?period=%d", f.now.In(domain.China).Year())
	for range 2 { // the second round reads what the first kept
		city := f.do("GET", target, nil, bearer(f.as(inspector))...)
		own := f.do("GET", target, nil, bearer(f.as(street))...)
		if n := len(decode[tableJSON](t, city).Rows); n != 2 {
			t.Fatalf("the inspector's compound table has %d rows, want 2", n)
		}
		if rows := decode[tableJSON](t, own).Rows; len(rows) != 1 || rows[0].Unit != "c1" {
			t.Fatalf("the street office's compound table: %+v, want c1 only", rows)
		}
		if city.Header().Get("ETag") == own.Header().Get("ETag") {
			t.Fatal("two different answers share an ETag")
		}
	}
}

// Other reads carry an ETag too: a list's is its body's, a compound's its
// version (which If-Match sends back); both answer If-None-Match with 304.
func TestReadsAnswerNotModified(t *testing.T) {
	f := newFixture(t)
	f.ok("c1", "register", registerBody)
	for _, target := range []string{"/api/v1/compounds/c1", "/api/v1/compounds?min_position=1", "/api/v1/compounds/c1/history"} {
		rec := f.do("GET", target, nil)
		tag := rec.Header().Get("ETag")
		if rec.Code != http.StatusOK || tag == "" {
			t.Fatalf("%s: %d, ETag %q", target, rec.Code, tag)
		}
		if again := f.do("GET", target, nil, "If-None-Match", tag); again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Fatalf("%s with If-None-Match: %d, %d bytes", target, again.Code, again.Body.Len())
		}
	}
	if tag := f.do("GET", "/api/v1/compounds/c1", nil).Header().Get("ETag"); tag != `"1"` {
		t.Fatalf("a compound's ETag is %s, want its version \"1\"", tag)
	}
	// A write is never answered 304, whatever it sends.
	rec := f.do("POST", "/api/v1/compounds/c1/rename-compound", `{"name":"新名","reason":"更正"}`, append(bearer(f.as(street)), "If-None-Match", "*")...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("a write with If-None-Match: %d %s", rec.Code, rec.Body)
	}
}
