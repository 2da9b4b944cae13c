package directory

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// History is one compound's list entry by when it became known, so that a
// list as of a past log position is read without replaying the log: the
// fold records, after each event it applies, what changed. The counters
// (open complaints, pending suits), changed by most events, are kept apart
// in 12-byte records; the rest of the entry (its card), changed rarely, in
// 80-byte ones. Snapshots carry it: it cannot be recomputed from the
// model's present state.
type History struct {
	Cards  []Card
	Counts counts
}

// count is the counters from a log position on, packed (a 10M-event city
// records millions of them).
type count struct {
	pos           uint32 // see projections.MaxKnownPosition
	open, pending int32
}

// record notes the entry as the event at pos left it, if a list would show
// it otherwise than the last version.
func (h *History) record(pos uint64, e *Entry, in *Interned) {
	c := count{uint32(pos), int32(e.OpenComplaints), int32(e.PendingLawsuits)}
	if n := len(h.Counts); n == 0 && (c.open != 0 || c.pending != 0) ||
		n > 0 && (h.Counts[n-1].open != c.open || h.Counts[n-1].pending != c.pending) {
		h.Counts = projections.Append(h.Counts, c)
	}
	card := in.card(pos, e)
	if n := len(h.Cards); n > 0 {
		last := h.Cards[n-1]
		if last.Pos = card.Pos; last == card {
			return
		}
	}
	h.Cards = projections.Append(h.Cards, card)
}

// at is the compound's entry as known at pos if f matches it; false if it
// does not, or if the compound was not listed then (not yet registered).
func (h *History) at(id string, pos uint64, f Filter, in *Interned) (Entry, bool) {
	i := projections.KnownBy(h.Cards, pos, func(c *Card) uint64 { return uint64(c.Pos) })
	if i == 0 || !in.match(&h.Cards[i-1], f) {
		return Entry{}, false
	}
	e := in.entry(id, &h.Cards[i-1])
	if j := projections.KnownBy(h.Counts, pos, func(c *count) uint64 { return uint64(c.pos) }); j > 0 {
		e.OpenComplaints, e.PendingLawsuits = int(h.Counts[j-1].open), int(h.Counts[j-1].pending)
	}
	return e, true
}

// ListAsOf returns the compounds matching f as they were known at log
// position pos, sorted by ID: what List gives on a model replayed to pos,
// read from the histories without a replay.
func (m *Model) ListAsOf(f Filter, pos uint64) []Entry {
	out := []Entry{}
	for _, c := range m.sorted {
		if e, ok := c.h.at(c.id, pos, f, &m.Interned); ok {
			out = append(out, e)
		}
	}
	return out
}

// compound is a history in the model's list by ID, which lists as of a
// past position walk: no map to iterate, nothing to sort.
type compound struct {
	id string
	h  *History
}

// historyOf is the compound's history, made and put in its place by ID on
// its first event (compounds mostly arrive in ID order: an append).
func (m *Model) historyOf(id string) *History {
	if h := m.History[id]; h != nil {
		return h
	}
	h := &History{}
	m.History[id] = h
	i, _ := slices.BinarySearchFunc(m.sorted, id, func(c compound, id string) int { return strings.Compare(c.id, id) })
	m.sorted = slices.Insert(m.sorted, i, compound{id, h})
	return h
}

// sortHistories lays the list by ID out again (after a restore).
func (m *Model) sortHistories() {
	m.sorted = make([]compound, 0, len(m.History))
	for id, h := range m.History {
		m.sorted = append(m.sorted, compound{id, h})
	}
	slices.SortFunc(m.sorted, func(a, b compound) int { return strings.Compare(a.id, b.id) })
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
