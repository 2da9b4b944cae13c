package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"time"

	gojson "github.com/goccy/go-json"
)

// Event is one recorded fact, about a compound or about the accounts
// (account.go). Each type knows how it changes its aggregate (evolve);
// decisions live on the commands.
type Event interface {
	EventType() string
}

// compoundEvent is a fact about a compound.
type compoundEvent interface {
	Event
	apply(c *Compound)
}

// Actor is who recorded a fact and on whose behalf.
type Actor struct {
	UserID       string `json:"user_id"`
	Role         string `json:"role"`
	Organisation string `json:"organisation"`
}

// Envelope is an event as stored: the payload plus everything an auditor
// needs to know about it. Version and Position start at 1.
type Envelope struct {
	EventID       string          `json:"event_id"`
	StreamID      string          `json:"stream_id"`
	Version       uint64          `json:"version"`
	Position      uint64          `json:"position"`
	Type          string          `json:"type"`
	SchemaVersion int             `json:"schema_version"`
	OccurredAt    time.Time       `json:"occurred_at"` // business time; backdated for paper records
	RecordedAt    time.Time       `json:"recorded_at"` // server time
	Actor         Actor           `json:"actor"`
	CorrelationID string          `json:"correlation_id,omitempty"`
	CausationID   string          `json:"causation_id,omitempty"`
	CommandID     string          `json:"command_id"`
	Data          json.RawMessage `json:"data"`
	PrevHash      string          `json:"prev_hash"`
	Hash          string          `json:"hash"`
}

// Decode returns the typed event, upcasting older schema versions.
func (e Envelope) Decode() (Event, error) {
	return DecodeEvent(e.Type, e.SchemaVersion, e.Data)
}

// ComputeHash is the SHA-256 over the envelope (all but the global position,
// which some stores only assign after the write) chained to prevHash.
// Every store seals events with it, so one auditor tool verifies them all.
func (e Envelope) ComputeHash(prevHash string) string {
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	num := func(v uint64) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], v)
		h.Write(n[:])
	}
	field([]byte(prevHash))
	field([]byte(e.EventID))
	field([]byte(e.StreamID))
	num(e.Version)
	field([]byte(e.Type))
	num(uint64(e.SchemaVersion))
	num(uint64(e.OccurredAt.UnixNano()))
	num(uint64(e.RecordedAt.UnixNano()))
	field([]byte(e.Actor.UserID))
	field([]byte(e.Actor.Role))
	field([]byte(e.Actor.Organisation))
	field([]byte(e.CorrelationID))
	field([]byte(e.CausationID))
	field([]byte(e.CommandID))
	field(e.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets the chain fields of e behind the event whose hash is prevHash.
func (e *Envelope) Seal(prevHash string) {
	e.PrevHash = prevHash
	e.Hash = e.ComputeHash(prevHash)
}

// VerifyChain checks a stream read from version 1: versions are dense and
// every hash matches its content and its predecessor. It names the first
// event where the chain breaks.
func VerifyChain(events []Envelope) error { return VerifyChainFrom(0, "", events) }

// VerifyChainFrom checks events read after version from, whose hash is
// prev: a cached aggregate verifies only what it has not seen.
func VerifyChainFrom(from uint64, prev string, events []Envelope) error {
	for i, e := range events {
		if err := VerifyLink(from+uint64(i+1), prev, e, e.ComputeHash); err != nil {
			return err
		}
		prev = e.Hash
	}
	return nil
}

// VerifyLink checks that e is version want of its stream, chained behind
// the event whose hash is prev, and sealed as hash(prev) says: the audit,
// which checks millions of events, computes the hashes in parallel first.
func VerifyLink(want uint64, prev string, e Envelope, hash func(prev string) string) error {
	switch {
	case e.Version != want:
		return Errorf(CodeIntegrity, "stream %s: expected version %d, found %d (event removed or reordered)", e.StreamID, want, e.Version)
	case e.PrevHash != prev:
		return Errorf(CodeIntegrity, "stream %s: version %d does not chain to version %d", e.StreamID, e.Version, want-1)
	case hash(prev) != e.Hash:
		return Errorf(CodeIntegrity, "stream %s: version %d was altered after it was recorded", e.StreamID, e.Version)
	}
	return nil
}

// eventSpec describes one event type: its current schema version and the
// upcasters that lift each older version's JSON one step.
type eventSpec struct {
	version int
	typ     reflect.Type // the Go type, for tests that check payloads strictly
	decode  func(json.RawMessage) (Event, error)
	upcast  map[int]func(json.RawMessage) (json.RawMessage, error) // from version k to k+1
}

var eventSpecs = map[string]eventSpec{}

// registerEvent records an event type at schema version 1. It runs from
// init functions, so a duplicate is a programming error.
func registerEvent[T Event]() {
	var zero T
	typ := zero.EventType()
	if _, dup := eventSpecs[typ]; dup {
		panic("duplicate event type " + typ)
	}
	eventSpecs[typ] = eventSpec{version: 1, typ: reflect.TypeFor[T](), decode: func(data json.RawMessage) (Event, error) {
		var e T
		// Stored payloads are decoded by the million in rebuilds; go-json
		// reads them several times faster than encoding/json, same result.
		err := gojson.Unmarshal(data, &e)
		return e, err
	}}
}

// registerUpcast moves typ to schema version from+1, keeping a function that
// lifts stored payloads of version from.
func registerUpcast(typ string, from int, up func(json.RawMessage) (json.RawMessage, error)) {
	s, ok := eventSpecs[typ]
	if !ok || s.version != from {
		panic(fmt.Sprintf("upcast of %s from v%d does not follow its registration", typ, from))
	}
	if s.upcast == nil {
		s.upcast = map[int]func(json.RawMessage) (json.RawMessage, error){}
	}
	s.upcast[from] = up
	s.version = from + 1
	eventSpecs[typ] = s
}

// EventTypes lists every registered event type, sorted.
func EventTypes() []string {
	out := make([]string, 0, len(eventSpecs))
	for t := range eventSpecs {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// EncodeEvent returns the type, current schema version and JSON of e.
func EncodeEvent(e Event) (string, int, json.RawMessage, error) {
	s, ok := eventSpecs[e.EventType()]
	if !ok {
		return "", 0, nil, Errorf(CodeInternal, "unregistered event type %s", e.EventType())
	}
	data, err := json.Marshal(e)
	if err != nil {
		return "", 0, nil, Internal(err, "encode event")
	}
	return e.EventType(), s.version, data, nil
}

// DecodeEvent decodes a stored payload of any known schema version.
func DecodeEvent(typ string, version int, data json.RawMessage) (Event, error) {
	s, ok := eventSpecs[typ]
	if !ok {
		return nil, Errorf(CodeInternal, "unknown event type %q", typ)
	}
	if version < 1 || version > s.version {
		return nil, Errorf(CodeInternal, "event %s: unknown schema version %d", typ, version)
	}
	for v := version; v < s.version; v++ {
		var err error
		if data, err = s.upcast[v](data); err != nil {
			return nil, Internal(err, fmt.Sprintf("upcast %s v%d", typ, v))
		}
	}
	e, err := s.decode(data)
	if err != nil {
		return nil, Internal(err, "decode "+typ)
	}
	return e, nil
}

// appendFields adds fields to a stored JSON object by appending to its text,
// leaving every other field as stored. Upcasters run on every old event of
// a rebuild: decoding and encoding whole payloads there would cost more than
// the fold itself.
func appendFields(data json.RawMessage, fields map[string]json.RawMessage) (json.RawMessage, error) {
	body := bytes.TrimSpace(data)
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return nil, errors.New("payload is not a JSON object")
	}
	empty := len(bytes.TrimSpace(body[1:len(body)-1])) == 0
	out := append(make([]byte, 0, len(body)+64), body[:len(body)-1]...)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !empty {
			out = append(out, ',')
		}
		empty = false
		out = append(strconv.AppendQuote(out, k), ':')
		out = append(out, fields[k]...)
	}
	return append(out, '}'), nil
}
