package encoded

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{"": false, "gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false,
		"gzip; q=0.000": false, "br": false, "x-gzip": false, "identity, gzip ;q=1": true} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", header)
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: gzip %t, want %t", header, got, want)
		}
	}
}

// Requests that find the same stale answer together encode it once; the
// kept answers stay within their byte bound.
func TestEncodedCache(t *testing.T) {
	var c Cache
	var builds atomic.Int32
	release := make(chan struct{})
	build := func() ([]byte, error) {
		builds.Add(1)
		<-release
		return []byte(strings.Repeat("x", 2000)), nil
	}
	var wg sync.WaitGroup
	tags := make([]string, 16)
	for i := range tags {
		wg.Go(func() {
			e, err := c.Get("k", "v1", build)
			if err != nil {
				t.Error(err)
				return
			}
			tags[i] = e.etag
		})
	}
	for builds.Load() == 0 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if builds.Load() != 1 {
		t.Fatalf("16 requests for one answer built it %d times", builds.Load())
	}
	for _, tag := range tags {
		if tag != tags[0] || tag == "" {
			t.Fatalf("tags %q", tags)
		}
	}
	e, _ := c.Get("k", "v2", func() ([]byte, error) { return []byte(strings.Repeat("y", 2000)), nil })
	if e.etag == tags[0] || e.gz == nil {
		t.Fatal("a new version kept the old answer, or was not compressed")
	}
	if _, err := c.Get("bad", "v1", func() ([]byte, error) { return nil, fmt.Errorf("no") }); err == nil {
		t.Fatal("a failed encoding answered")
	}
	if _, ok := c.byKey["bad"]; ok {
		t.Fatal("a failed encoding was kept")
	}

	c.max = 64 << 10
	big := bytes.Repeat([]byte("0123456789"), 1000)
	for i := range 40 {
		c.Get(fmt.Sprint("big", i), "v", func() ([]byte, error) { return big, nil })
		if c.bytes > c.max {
			t.Fatalf("%d bytes kept, over the bound of %d", c.bytes, c.max)
		}
	}
	if len(c.byKey) < 4 {
		t.Fatalf("%d answers kept of 40 within the bound", len(c.byKey))
	}
	c.Get("huge", "v", func() ([]byte, error) { return bytes.Repeat(big, 3), nil })
	if _, ok := c.byKey["huge"]; ok {
		t.Fatal("an answer of over a quarter of the bound was kept")
	}
	sum := 0
	for _, e := range c.byKey {
		sum += e.size()
	}
	if sum != c.bytes {
		t.Fatalf("the cache counts %d bytes, holds %d", c.bytes, sum)
	}
}

// An answer made for one request is compressed only for a client that
// takes gzip; both carry the same tag.
func TestForOneRequest(t *testing.T) {
	body := []byte(strings.Repeat("一张过去的榜单 ", 500))
	plain, zipped := httptest.NewRequest("GET", "/", nil), httptest.NewRequest("GET", "/", nil)
	zipped.Header.Set("Accept-Encoding", "gzip")
	p, err := For(plain, JSON, body)
	if err != nil || p.gz != nil {
		t.Fatalf("compressed for a client that did not ask (%v)", err)
	}
	z, err := For(zipped, JSON, body)
	if err != nil || z.gz == nil || z.ETag() != p.ETag() {
		t.Fatalf("gzip %d bytes, tags %q and %q (%v)", len(z.gz), z.ETag(), p.ETag(), err)
	}
	w := httptest.NewRecorder()
	z.Write(w, zipped, 200)
	r, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, body) || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("sent %q (%v), Content-Encoding %q", got, err, w.Header().Get("Content-Encoding"))
	}
}
