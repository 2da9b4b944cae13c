// Package directory is the read model behind compound lists: each
// compound's case file summary (案卷摘要) — where it sits, who manages it,
// its committee, open complaints, pending suits, plan and listing —
// folded from the global event log.
package directory

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Entry is one compound's case file summary as lists show it.
type Entry struct {
	ID              string              `json:"id"`
	Name            string              `json:"name"`
	District        string              `json:"district"`
	Street          string              `json:"street"`
	Community       string              `json:"community"`
	Kind            domain.CompoundKind `json:"kind"`
	Households      int                 `json:"households"`
	PropertyCompany string              `json:"property_company,omitempty"`
	Latitude        domain.Degrees      `json:"latitude,omitempty"` // WGS-84, when registered with coordinates
	Longitude       domain.Degrees      `json:"longitude,omitempty"`
	Committee       Committee           `json:"committee"`
	OpenComplaints  int                 `json:"open_complaints"`  // received or reopened, not yet resolved
	PendingLawsuits int                 `json:"pending_lawsuits"` // filed, not yet concluded
	Conflict        bool                `json:"conflict"`         // 矛盾突出小区
	Plan            *Plan               `json:"plan,omitempty"`   // 一区一策, the latest
	Listing         *Listing            `json:"listing,omitempty"`
}

// Committee is the owners' committee at a glance.
type Committee struct {
	Phase   string    `json:"phase"` // none, serving, reelection, expired, interim
	TermEnd time.Time `json:"term_end,omitzero"`
	Filed   bool      `json:"filed"`
}

// Plan is the progress of the compound's plan.
type Plan struct {
	Measures  int  `json:"measures"`
	SignedOff int  `json:"signed_off"` // measures 销号
	Open      bool `json:"open"`
}

// Listing is the supervision listing (挂牌督办).
type Listing struct {
	Active   bool        `json:"active"`
	Deadline domain.Date `json:"deadline"`
}

// Filter narrows a list; empty fields match everything.
type Filter struct {
	District, Street, Community string
}

func (f Filter) match(e *Entry) bool {
	return (f.District == "" || e.District == f.District) &&
		(f.Street == "" || e.Street == f.Street) &&
		(f.Community == "" || e.Community == f.Community)
}

// Model is the fold; its fields are exported for snapshots only.
type Model struct {
	Pos      uint64
	Entries  map[string]*Entry
	History  map[string]*History // by compound, for lists as of a past position
	Interned                     // the histories' strings and times
	Format   int                 // modelFormat when snapshotted; Restore refuses any other
	sorted   []compound          // the histories by compound ID; not snapshotted
}

func New() *Model {
	return &Model{Entries: map[string]*Entry{}, History: map[string]*History{}, Format: modelFormat}
}

func (m *Model) Name() string     { return "directory" }
func (m *Model) Position() uint64 { return m.Pos }

// Handled are the event types the fold reads.
func (m *Model) Handled() []string { return handlers.Types() }

// Apply folds one event; types it does not read are skipped undecoded.
func (m *Model) Apply(e domain.Envelope) error {
	if err := projections.CheckKnownPosition("directory", e.Position); err != nil {
		return err
	}
	return handlers.Apply(m, "directory", &m.Pos, e)
}

// handlers change the entry of the event's compound, one per event type.
var handlers = projections.NewHandlers(
	on(func(e *Entry, ev domain.CompoundRegistered) {
		p := ev.Profile
		e.Name, e.District, e.Street, e.Community = projections.Own(p.Name),
			projections.Intern(p.District), projections.Intern(p.Street), projections.Intern(p.Community)
		e.Kind, e.Households, e.PropertyCompany = projections.Intern(p.Kind), p.Households, projections.Intern(p.PropertyCompany)
		e.Latitude, e.Longitude = p.Latitude, p.Longitude
	}),
	on(func(e *Entry, ev domain.PropertyCompanyChanged) { e.PropertyCompany = projections.Intern(ev.Company) }),
	on(func(e *Entry, ev domain.CommitteeElected) {
		e.Committee = Committee{Phase: "serving", TermEnd: ev.TermEnd}
	}),
	on(func(e *Entry, _ domain.CommitteeFiled) { e.Committee.Filed = true }),
	on(func(e *Entry, _ domain.ReelectionStarted) { e.Committee.Phase = "reelection" }),
	on(func(e *Entry, _ domain.CommitteeTermExpired) { e.Committee.Phase = "expired" }),
	on(func(e *Entry, _ domain.InterimCommissionFormed) { e.Committee = Committee{Phase: "interim"} }),
	on(func(e *Entry, _ domain.ComplaintReceived) { e.OpenComplaints++ }),
	on(func(e *Entry, _ domain.ComplaintReopened) { e.OpenComplaints++ }),
	on(func(e *Entry, ev domain.ComplaintVoided) {
		if ev.WasOpen {
			e.OpenComplaints--
		}
	}),
	on(func(e *Entry, ev domain.CompoundRenamed) { e.Name = projections.Own(ev.Name) }),
	on(func(e *Entry, ev domain.CompoundMoved) {
		e.District, e.Street, e.Community = projections.Intern(ev.District), projections.Intern(ev.Street), projections.Intern(ev.Community)
	}),
	on(func(e *Entry, ev domain.CompoundFiguresCorrected) { e.Households = ev.Households }),
	on(func(e *Entry, _ domain.ComplaintResolved) { e.OpenComplaints-- }),
	on(func(e *Entry, _ domain.LawsuitFiled) { e.PendingLawsuits++ }),
	on(func(e *Entry, _ domain.LawsuitConcluded) { e.PendingLawsuits-- }),
	on(func(e *Entry, _ domain.ConflictFlagged) { e.Conflict = true }),
	on(func(e *Entry, _ domain.ConflictUnflagged) { e.Conflict = false }),
	on(func(e *Entry, ev domain.PlanAdopted) { e.Plan = &Plan{Measures: len(ev.Measures), Open: true} }),
	on(func(e *Entry, _ domain.MeasureAdded) { e.Plan.Measures++ }),
	on(func(e *Entry, _ domain.MeasureSignedOff) { e.Plan.SignedOff++ }),
	on(func(e *Entry, _ domain.PlanSignedOff) { e.Plan.Open = false }),
	on(func(e *Entry, ev domain.ListedForSupervision) {
		e.Listing = &Listing{Active: true, Deadline: ev.Deadline}
	}),
	on(func(e *Entry, ev domain.ListingExtensionDecided) {
		if ev.Granted {
			e.Listing.Deadline = ev.Deadline
		}
	}),
	on(func(e *Entry, _ domain.Delisted) { e.Listing.Active = false }),
)

// on makes the handler of T from a change to the compound's entry, which
// it creates on the compound's first event, and records the change in the
// compound's history.
func on[T domain.Event](f func(*Entry, T)) projections.Handler[*Model] {
	return projections.On(func(m *Model, env domain.Envelope, ev T) {
		id, e := projections.EntryOf(m.Entries, env, func(id string) *Entry { return &Entry{ID: id, Committee: Committee{Phase: "none"}} })
		f(e, ev)
		m.historyOf(id).record(env.Position, e, &m.Interned)
	})
}

// List returns the compounds matching f, sorted by ID.
func (m *Model) List(f Filter) []Entry {
	out := make([]Entry, 0, len(m.Entries))
	for _, e := range m.Entries {
		if e.Name != "" && f.match(e) {
			out = append(out, e.clone())
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Get returns one compound's summary.
func (m *Model) Get(id string) (Entry, bool) {
	e, ok := m.Entries[id]
	if !ok || e.Name == "" {
		return Entry{}, false
	}
	return e.clone(), true
}

// Nearest returns the compound with coordinates nearest to a point, if one
// lies within metres of it (the Open311 API places a request by its
// coordinates).
func (m *Model) Nearest(lat, lon domain.Degrees, metres float64) (Entry, bool) {
	best, bestD := (*Entry)(nil), metres
	for _, e := range m.Entries {
		if e.Name == "" || e.Latitude == 0 && e.Longitude == 0 {
			continue
		}
		if d := distance(lat, lon, e.Latitude, e.Longitude); d <= bestD && (best == nil || d < bestD || e.ID < best.ID) {
			best, bestD = e, d
		}
	}
	if best == nil {
		return Entry{}, false
	}
	return best.clone(), true
}

// distance is the great-circle distance in metres (haversine).
func distance(lat1, lon1, lat2, lon2 domain.Degrees) float64 {
	const earth = 6_371_000.0
	rad := func(d domain.Degrees) float64 { return d.Float() * math.Pi / 180 }
	dLat, dLon := rad(lat2-lat1), rad(lon2-lon1)
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(lat1))*math.Cos(rad(lat2))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earth * math.Asin(math.Sqrt(a))
}

// clone copies an entry deep enough for a reader to keep while the fold
// goes on changing the original.
func (e *Entry) clone() Entry {
	c := *e
	if e.Plan != nil {
		p := *e.Plan
		c.Plan = &p
	}
	if e.Listing != nil {
		l := *e.Listing
		c.Listing = &l
	}
	return c
}

func (m *Model) Snapshot() ([]byte, error) {
	return projections.GobSnapshot(m)
}

// modelFormat numbers the snapshot layout. Gob decodes a snapshot of an
// older model without complaint, leaving new fields zero (format 1 keeps
// each compound's history): such a snapshot must be refused, so that the
// runner folds from the start. Raise it whenever the fold keeps new data.
const modelFormat = 1

// Restore replaces the model by a snapshot; a snapshot of another model
// format is refused and m left as it was. Decoding makes a string of every
// value: the few distinct places, kinds, companies and phases are shared
// again, as the fold shares them, and an entry's ID is its key's.
func (m *Model) Restore(b []byte) error {
	if err := projections.GobRestoreFormat(b, m, New(), func(m *Model) *int { return &m.Format }); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	for id, e := range m.Entries {
		e.ID, e.District, e.Street, e.Community = id, projections.Intern(e.District), projections.Intern(e.Street), projections.Intern(e.Community)
		e.Kind, e.PropertyCompany, e.Committee.Phase = projections.Intern(e.Kind), projections.Intern(e.PropertyCompany), projections.Intern(e.Committee.Phase)
	}
	m.sortHistories()
	m.Interned.index()
	return nil
}

// SQLTables lays the case files out for SQL readers (rm_compounds).
func (m *Model) SQLTables() []projections.SQLTable {
	t := projections.SQLTable{Name: "rm_compounds", Columns: []string{"compound_id", "name", "district", "street", "community", "kind",
		"households", "property_company", "committee_phase", "committee_term_end", "committee_filed", "open_complaints",
		"pending_lawsuits", "conflict", "plan_measures", "plan_signed_off", "plan_open", "listed", "listing_deadline"}}
	for _, e := range m.Entries {
		if e.Name == "" {
			continue // events of a compound not (yet) registered
		}
		var plan Plan
		if e.Plan != nil {
			plan = *e.Plan
		}
		var listed bool
		var deadline time.Time
		if e.Listing != nil {
			listed, deadline = e.Listing.Active, e.Listing.Deadline.Time
		}
		t.Rows = append(t.Rows, []any{e.ID, e.Name, e.District, e.Street, e.Community, string(e.Kind), e.Households, e.PropertyCompany,
			e.Committee.Phase, projections.Nullable(e.Committee.TermEnd), e.Committee.Filed, e.OpenComplaints, e.PendingLawsuits,
			e.Conflict, plan.Measures, plan.SignedOff, plan.Open, listed, projections.Nullable(deadline)})
	}
	return []projections.SQLTable{t}
}
