package directory

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// History is one compound's list entry by when it became known, so that a
// list as of a past log position is read without replaying the log: the
// fold records, after each event it applies, what changed. The counters
// (open complaints, pending suits), changed by most events, are kept apart
// in 12-byte records; the rest of the entry (its card), changed rarely, in
// whole copies whose strings share the live entry's bytes. Snapshots carry
// it: it cannot be recomputed from the model's present state.
type History struct {
	Cards  []Card
	Counts counts
}

// Card is an entry without its ID and counters, from a log position on.
type Card struct {
	Pos   uint64
	Entry Entry // ID, OpenComplaints and PendingLawsuits unused
}

// count is the counters from a log position on, packed (a 10M-event city
// records millions of them).
type count struct {
	pos           uint32 // see maxKnownPosition
	open, pending int32
}

// maxKnownPosition bounds the positions a count can stamp; the fold refuses
// an event beyond it rather than misdate what it knows.
const maxKnownPosition = math.MaxUint32

// record notes the entry as the event at pos left it, if a list would show
// it otherwise than the last version.
func (h *History) record(pos uint64, e *Entry) {
	c := count{uint32(pos), int32(e.OpenComplaints), int32(e.PendingLawsuits)}
	if n := len(h.Counts); n == 0 && (c.open != 0 || c.pending != 0) ||
		n > 0 && (h.Counts[n-1].open != c.open || h.Counts[n-1].pending != c.pending) {
		h.Counts = append(h.Counts, c)
	}
	card := *e
	card.ID, card.OpenComplaints, card.PendingLawsuits = "", 0, 0
	if n := len(h.Cards); n > 0 && sameCard(&h.Cards[n-1].Entry, &card) {
		return
	}
	h.Cards = append(h.Cards, Card{Pos: pos, Entry: card.clone()})
}

// sameCard compares two cards, their plans and listings by value.
func sameCard(a, b *Entry) bool {
	x, y := *a, *b
	x.Plan, x.Listing, y.Plan, y.Listing = nil, nil, nil, nil
	return x == y && equalPtr(a.Plan, b.Plan) && equalPtr(a.Listing, b.Listing)
}

func equalPtr[T comparable](a, b *T) bool { return a == b || a != nil && b != nil && *a == *b }

// at is the compound's entry as known at pos; false if it was not listed
// (not yet registered).
func (h *History) at(id string, pos uint64) (Entry, bool) {
	i := sort.Search(len(h.Cards), func(i int) bool { return h.Cards[i].Pos > pos })
	if i == 0 || h.Cards[i-1].Entry.Name == "" {
		return Entry{}, false
	}
	e := h.Cards[i-1].Entry.clone()
	e.ID = id
	if j := sort.Search(len(h.Counts), func(j int) bool { return uint64(h.Counts[j].pos) > pos }); j > 0 {
		e.OpenComplaints, e.PendingLawsuits = int(h.Counts[j-1].open), int(h.Counts[j-1].pending)
	}
	return e, true
}

// ListAsOf returns the compounds matching f as they were known at log
// position pos, sorted by ID: what List gives on a model replayed to pos,
// read from the histories without a replay.
func (m *Model) ListAsOf(f Filter, pos uint64) []Entry {
	out := []Entry{}
	for id, h := range m.History {
		if e, ok := h.at(id, pos); ok && f.match(&e) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// counts snapshot as packed bytes (gob would describe every field of every
// one).
type counts []count

func (cs counts) GobEncode() ([]byte, error) {
	b := make([]byte, 0, 12*len(cs))
	for _, c := range cs {
		b = binary.LittleEndian.AppendUint32(b, c.pos)
		b = binary.LittleEndian.AppendUint32(b, uint32(c.open))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.pending))
	}
	return b, nil
}

func (cs *counts) GobDecode(b []byte) error {
	if len(b)%12 != 0 {
		return fmt.Errorf("directory snapshot: %d bytes of counts, not a whole number of 12", len(b))
	}
	out := make(counts, len(b)/12)
	for i := range out {
		r := b[12*i:]
		out[i] = count{binary.LittleEndian.Uint32(r), int32(binary.LittleEndian.Uint32(r[4:])), int32(binary.LittleEndian.Uint32(r[8:]))}
	}
	*cs = out
	return nil
}

// ListAt answers a list query on the runner's model: as of now (or of a
// position the model has not passed) from the live entries, as of a past
// position or time from the histories; pos is the position the list
// stands at. Neither replays the log.
func ListAt(ctx context.Context, r *projections.Runner[*Model], store domain.EventStore, q projections.Query, f Filter) (pos uint64, list []Entry, err error) {
	at, live, err := r.Resolve(ctx, store, q)
	if err != nil {
		return 0, nil, err
	}
	r.Read(func(m *Model) {
		if live {
			pos, list = m.Position(), m.List(f)
		} else {
			pos, list = at, m.ListAsOf(f, at)
		}
	})
	return pos, list, nil
}
