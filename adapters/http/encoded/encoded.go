// Package encoded answers HTTP reads as bytes made once: the body, its
// gzip and its entity tag, kept per (key, version) by Cache. The API
// answers JSON with it (adapters/http), the pages HTML (adapters/web).
package encoded

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// Reads are answered as bytes: the body, its gzip and its entity tag made
// once. A read whose answer stays the same between events (a league table
// of one position) is encoded once per (query, position) and kept
// (Cache); encoding a large table per request was most of the
// API's CPU under load. Every read carries an ETag, so If-None-Match
// answers 304 without a body, and is sent compressed to a client that
// accepts gzip.

// Answer is one answer, ready to send.
type Answer struct {
	version string // what the answer was encoded from (a table's edition)
	typ     string // its Content-Type
	body    []byte
	gz      []byte // its gzip; nil when compressing does not pay
	etag    string
	ready   chan struct{} // closed once encoded (or failed)
	err     error
	counted bool // its size is in Cache.bytes
}

const (
	minGzip = 1024 // bodies smaller than this go uncompressed: the header costs more than it saves
	// maxBytes bounds the kept answers (body and gzip) of a Cache: a compound
	// table of a city is tens of MB of JSON, a street table a few hundred kB.
	maxBytes = 128 << 20
	// JSON is the API's Content-Type.
	JSON = "application/json"
)

// For makes the answer of one request (one not kept, such as a table of
// the past) from its body: compressed only when this client accepts gzip,
// since nobody else will be sent it.
func For(r *http.Request, contentType string, body []byte) (*Answer, error) {
	return encode(contentType, body, acceptsGzip(r))
}

// encode makes an answer of a Content-Type from its body: its tag, and its
// gzip when zip and it pays. The tag is weak: the plain and compressed
// bodies share it.
func encode(contentType string, body []byte, zip bool) (*Answer, error) {
	e := &Answer{typ: contentType, body: body, etag: `W/"` + strconv.FormatUint(xxhash.Sum64(body), 36) + `"`}
	if zip && len(body) >= minGzip {
		var buf bytes.Buffer
		buf.Grow(len(body) / 8) // what text compresses to, about
		z := gzips.Get().(*gzip.Writer)
		defer gzips.Put(z)
		z.Reset(&buf)
		if _, err := z.Write(body); err != nil {
			return nil, err
		}
		if err := z.Close(); err != nil {
			return nil, err
		}
		e.gz = buf.Bytes()
	}
	return e, nil
}

// gzips are compressors to reuse: each holds about a megabyte of state,
// which an answer made anew (a page after an event) need not allocate.
var gzips = sync.Pool{New: func() any {
	z, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // an answer is made once per position: speed over the last few percent
	return z
}}

func (e *Answer) size() int { return len(e.body) + len(e.gz) }

// ETag is the answer's entity tag.
func (e *Answer) ETag() string { return e.etag }

// Write sends an answer: 304 when the client holds it already, else the
// body, compressed if the client accepts it. A tag set by the handler (a
// compound's version, which If-Match sends back) is kept.
func (e *Answer) Write(w http.ResponseWriter, r *http.Request, status int) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		tag := h.Get("ETag")
		if tag == "" {
			tag = e.etag
			h.Set("ETag", tag)
		}
		if status == http.StatusOK && noneMatch(r, tag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h.Set("Content-Type", e.typ)
	body := e.body
	if e.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = e.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// noneMatch reports whether If-None-Match names the tag (weak comparison,
// RFC 9110 13.1.2): the client's copy is current.
func noneMatch(r *http.Request, tag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" {
		return false
	}
	if strings.TrimSpace(inm) == "*" {
		return true
	}
	want := strings.TrimPrefix(tag, "W/")
	for t := range strings.SplitSeq(inm, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding: gzip, unless refused with q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// Cache keeps answers of one Content-Type (Type) by key (what was asked,
// by whom), each valid for one version of what it was made from. Requests
// that find the same stale key together encode it once: the others wait
// for it. The zero Cache keeps JSON.
type Cache struct {
	Type  string // the answers' Content-Type; "": JSON
	mu    sync.Mutex
	byKey map[string]*Answer
	bytes int
	max   int // bytes kept at most; 0: maxBytes
}

// Get returns the answer of key at version, its body made by build if it
// is not kept.
func (c *Cache) Get(key, version string, build func() ([]byte, error)) (*Answer, error) {
	c.mu.Lock()
	if c.byKey == nil {
		c.byKey = map[string]*Answer{}
	}
	if c.max == 0 {
		c.max = maxBytes
	}
	if e, ok := c.byKey[key]; ok && e.version == version {
		c.mu.Unlock()
		<-e.ready
		if e.err != nil {
			return nil, e.err
		}
		return e, nil
	}
	c.drop(key)
	typ := cmp.Or(c.Type, JSON)
	slot := &Answer{version: version, typ: typ, ready: make(chan struct{})}
	c.byKey[key] = slot
	c.mu.Unlock()

	body, err := build()
	var e *Answer
	if err == nil {
		e, err = encode(typ, body, true) // kept for every client
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		slot.err = err
		if c.byKey[key] == slot {
			delete(c.byKey, key)
		}
		close(slot.ready)
		return nil, err
	}
	slot.body, slot.gz, slot.etag = e.body, e.gz, e.etag
	close(slot.ready)
	switch {
	case c.byKey[key] != slot: // replaced meanwhile by a newer version
	case slot.size() > c.max/4:
		delete(c.byKey, key) // too large to keep: encoded for this request only
	default:
		slot.counted, c.bytes = true, c.bytes+slot.size()
		for k := range c.byKey { // map order is random: a cheap random eviction
			if c.bytes <= c.max {
				break
			}
			if k != key {
				c.drop(k)
			}
		}
	}
	return slot, nil
}

// drop forgets the answer of key; requests waiting for it still get it.
func (c *Cache) drop(key string) {
	if e, ok := c.byKey[key]; ok {
		if e.counted {
			c.bytes -= e.size()
		}
		delete(c.byKey, key)
	}
}
