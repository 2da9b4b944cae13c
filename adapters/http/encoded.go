package http

import (
	"bytes"
	"compress/gzip"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Reads are answered as bytes: the JSON, its gzip and its entity tag made
// once. A read whose answer stays the same between events (a league table
// of one position) is encoded once per (query, position) and kept
// (encodedCache); encoding a large table per request was most of the
// API's CPU under load. Every read carries an ETag, so If-None-Match
// answers 304 without a body, and is sent compressed to a client that
// accepts gzip.

// encoded is one answer, ready to send.
type encoded struct {
	version string // what the answer was encoded from (a table's edition)
	body    []byte // JSON
	gz      []byte // its gzip; nil when compressing does not pay
	etag    string
	ready   chan struct{} // closed once encoded (or failed)
	err     error
	counted bool // its size is in encodedCache.bytes
}

const (
	minGzip = 1024 // bodies smaller than this go uncompressed: the header costs more than it saves
	// maxEncodedBytes bounds the kept answers (JSON and gzip): a compound
	// table of a city is tens of MB of JSON, a street table a few hundred kB.
	maxEncodedBytes = 128 << 20
)

// encode makes an answer from JSON: its tag, and its gzip when it pays.
// The tag is weak: the plain and compressed bodies share it.
func encode(body []byte) (*encoded, error) {
	h := fnv.New64a()
	h.Write(body)
	e := &encoded{body: body, etag: `W/"` + strconv.FormatUint(h.Sum64(), 36) + `"`}
	if len(body) >= minGzip {
		var buf bytes.Buffer
		z, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // made once per position: speed over the last few percent
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

func (e *encoded) size() int { return len(e.body) + len(e.gz) }

// write sends an answer: 304 when the client holds it already, else the
// body, compressed if the client accepts it. A tag set by the handler (a
// compound's version, which If-Match sends back) is kept.
func (e *encoded) write(w http.ResponseWriter, r *http.Request, status int) {
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
	h.Set("Content-Type", "application/json")
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

// encodedCache keeps answers by key (what was asked, by whom), each valid
// for one version of what it was made from. Requests that find the same
// stale key together encode it once: the others wait for it.
type encodedCache struct {
	mu    sync.Mutex
	byKey map[string]*encoded
	bytes int
	max   int // bytes kept at most; 0: maxEncodedBytes
}

// get returns the answer of key at version, its JSON made by build if it
// is not kept.
func (c *encodedCache) get(key, version string, build func() ([]byte, error)) (*encoded, error) {
	c.mu.Lock()
	if c.byKey == nil {
		c.byKey = map[string]*encoded{}
	}
	if c.max == 0 {
		c.max = maxEncodedBytes
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
	slot := &encoded{version: version, ready: make(chan struct{})}
	c.byKey[key] = slot
	c.mu.Unlock()

	body, err := build()
	var e *encoded
	if err == nil {
		e, err = encode(body)
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
func (c *encodedCache) drop(key string) {
	if e, ok := c.byKey[key]; ok {
		if e.counted {
			c.bytes -= e.size()
		}
		delete(c.byKey, key)
	}
}
