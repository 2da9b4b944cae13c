// Package directory is the read model behind compound lists: an in-memory
// index of registered compounds, folded from the global event log. It is
// rebuilt from position 0 at start-up, so it needs no storage of its own.
package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/casetrack/casetrack/domain"
)

// Entry is one compound as lists show it.
type Entry struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	District        string              `json:"district"`
	Street          string              `json:"street"`
	Community       string              `json:"community"`
	Kind            domain.CompoundKind `json:"kind"`
	Households      int                 `json:"households"`
	PropertyCompany string              `json:"property_company,omitempty"`
}

// Filter narrows a list; empty fields match everything.
type Filter struct {
	District, Street, Community string
}

func (f Filter) match(e Entry) bool {
	return (f.District == "" || e.District == f.District) &&
		(f.Street == "" || e.Street == f.Street) &&
		(f.Community == "" || e.Community == f.Community)
}

// PageSize is how many events Follow reads at a time.
const PageSize = 500

// Directory is safe for concurrent use: one Follow writes, many readers read.
type Directory struct {
	mu       sync.RWMutex
	entries  map[string]Entry
	position uint64        // global position of the last event applied
	advanced chan struct{} // closed (and replaced) whenever position moves
}

func New() *Directory {
	return &Directory{entries: map[string]Entry{}, advanced: make(chan struct{})}
}

// Follow applies the store's global log from the directory's position on,
// then waits for appends, until ctx ends (it returns ctx.Err()) or the store
// or an event fails. It resumes where it stopped, so a caller may restart it.
func (d *Directory) Follow(ctx context.Context, store domain.EventStore) error {
	for {
		// Take the wake-up channel before reading, so that an append landing
		// between the last read and the wait is not missed.
		changed := store.Changed()
		for {
			page, err := store.ReadAll(ctx, d.Position(), PageSize)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			if err := d.apply(page); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// apply folds one page of the global log under one lock.
func (d *Directory) apply(page []domain.Envelope) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	defer func() { // wake waiters even when a bad event stops the page
		close(d.advanced)
		d.advanced = make(chan struct{})
	}()
	for _, env := range page {
		if err := d.applyOne(env); err != nil {
			return err
		}
		d.position = env.Position
	}
	return nil
}

func (d *Directory) applyOne(env domain.Envelope) error {
	id, ok := strings.CutPrefix(env.StreamID, domain.StreamID("")) // "compound-"
	if !ok || (env.Type != "CompoundRegistered" && env.Type != "PropertyCompanyChanged") {
		return nil // decode only what the directory shows
	}
	ev, err := env.Decode()
	if err != nil {
		return fmt.Errorf("directory: event %d: %w", env.Position, err)
	}
	switch ev := ev.(type) {
	case domain.CompoundRegistered:
		p := ev.Profile
		d.entries[id] = Entry{ID: id, Name: p.Name, District: p.District, Street: p.Street, Community: p.Community,
			Kind: p.Kind, Households: p.Households, PropertyCompany: p.PropertyCompany}
	case domain.PropertyCompanyChanged:
		if e, ok := d.entries[id]; ok {
			e.PropertyCompany = ev.Company
			d.entries[id] = e
		}
	}
	return nil
}

// List returns the compounds matching f, sorted by ID.
func (d *Directory) List(f Filter) []Entry {
	d.mu.RLock()
	out := make([]Entry, 0, len(d.entries))
	for _, e := range d.entries {
		if f.match(e) {
			out = append(out, e)
		}
	}
	d.mu.RUnlock()
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Get returns one compound.
func (d *Directory) Get(id string) (Entry, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	e, ok := d.entries[id]
	return e, ok
}

// Position is the global position of the last event applied.
func (d *Directory) Position() uint64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.position
}

// WaitFor blocks until the directory has applied position, or ctx ends: a
// client that just wrote at position p reads its own write after WaitFor(p).
func (d *Directory) WaitFor(ctx context.Context, position uint64) error {
	for {
		d.mu.RLock()
		pos, advanced := d.position, d.advanced
		d.mu.RUnlock()
		if pos >= position {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-advanced:
		}
	}
}
