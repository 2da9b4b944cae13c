// Package league folds the event log into the facts the campaign ranks
// units by (complaints, suits, committees, plans, listings), and computes
// league tables from them for any period: streets, communities, districts,
// compounds and property companies, each metric traceable to its events.
package league

import (
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Model is the fold. Its fields are exported for gob snapshots only.
type Model struct {
	Pos        uint64
	Recorded   time.Time // when the event at Pos was recorded
	Compounds  map[string]*Compound
	Complaints map[string]*Complaint // by compound ID + "/" + complaint ID
	Lawsuits   map[string]*Lawsuit
	Measures   map[string]*Measure
	Listings   map[string]*Listing

	ix *indexHolder // derived: rebuilt on demand, never snapshotted
}

// Compound is what a league table needs to know of one compound.
type Compound struct {
	ID, Name, District, Street, Community, Company string
	Households                                     int
	PrivateArea, DeliveredArea                     domain.Area
	Branch, Secretary                              string
	RedProperty, RedCommittee                      bool
	Flagged                                        bool
	Committee                                      Committee
	InterimFiled                                   bool
	EventID                                        string // registration

	slot int32 // its place in the month index, plus one
}

// Committee is the serving committee's summary.
type Committee struct {
	Term                int
	Elected, TermEnd    time.Time
	Filed               bool
	ReelectionStarted   bool
	ExpiredNoReelection bool
	Members, Alternates map[string]Member // by candidate ID
	Chair               string            // candidate ID
	EventID             string            // the election
}

// Member is a committee seat's holder.
type Member struct {
	Name        string
	PartyMember bool
}

func (cm Committee) partyMembers() int {
	n := 0
	for _, m := range cm.Members {
		if m.PartyMember {
			n++
		}
	}
	return n
}

// Complaint is one ticket's facts, as of its latest handling round.
type Complaint struct {
	Compound, Company               string
	Channel                         domain.Channel
	Received, DispatchDue, ReplyDue time.Time
	Dispatched, Accepted, Resolved  time.Time
	Calls                           []Call // follow-up calls (回访), each counted
	Returns, Reopens                int
	ReceivedEvent, DispatchedEvent  string // IDs of the events behind the counts
	place                           place
}

// Call is one follow-up call.
type Call struct {
	At           time.Time
	Satisfaction domain.Satisfaction
	Solved       bool
	EventID      string
}

// Lawsuit is one court case.
type Lawsuit struct {
	Compound, Company string
	Filed, Concluded  time.Time
	CompanyLost       bool
	EventID           string
	place             place
}

// Measure is one measure of a plan (一区一策).
type Measure struct {
	Compound string
	Deadline time.Time // end of the deadline day
	Signed   time.Time
	EventID  string
}

// Listing is one supervision listing (挂牌督办).
type Listing struct {
	Compound         string
	Listed, Delisted time.Time
	EventID          string
}

// New returns an empty model.
func New() *Model {
	return &Model{Compounds: map[string]*Compound{}, Complaints: map[string]*Complaint{},
		Lawsuits: map[string]*Lawsuit{}, Measures: map[string]*Measure{}, Listings: map[string]*Listing{}, ix: &indexHolder{}}
}

func (m *Model) Name() string     { return "league" }
func (m *Model) Position() uint64 { return m.Pos }

// Apply folds one event; types it does not read are skipped undecoded.
func (m *Model) Apply(e domain.Envelope) error {
	if e.Position > m.Pos {
		m.Recorded = e.RecordedAt
	}
	return projections.ApplyTyped("league", &m.Pos, relevant, e, m.apply)
}

// relevant are the event types the fold reads.
var relevant = projections.Types("CompoundRegistered", "DeliveredAreaUpdated", "PropertyCompanyChanged", "PartyBranchEstablished", "RedFlagsSet",
	"CommitteeElected", "ChairChosen", "CommitteeFiled", "ReelectionStarted", "CommitteeTermExpired", "MemberLeft", "InterimCommissionFiled",
	"ComplaintReceived", "ComplaintDispatched", "ComplaintAccepted", "ComplaintReturned", "ComplaintExtensionDecided", "ComplaintResolved",
	"ComplaintFollowedUp", "ComplaintReopened", "LawsuitFiled", "LawsuitConcluded", "ConflictFlagged", "ConflictUnflagged",
	"PlanAdopted", "MeasureAdded", "MeasureSignedOff", "ListedForSupervision", "Delisted")

func (m *Model) apply(e domain.Envelope, ev domain.Event) {
	id := compoundID(e.StreamID)
	c := m.Compounds[id]
	moved := c == nil
	if c == nil {
		c = &Compound{ID: id}
		m.Compounds[id] = c
	}
	switch ev.(type) {
	case domain.CompoundRegistered, domain.PropertyCompanyChanged:
		moved = true
	}
	defer m.touched(c, moved)
	key := func(sub string) string { return id + "/" + sub }
	switch ev := ev.(type) {
	case domain.CompoundRegistered:
		p := ev.Profile
		c.Name, c.District, c.Street, c.Community, c.Company = p.Name, p.District, p.Street, p.Community, p.PropertyCompany
		c.Households, c.PrivateArea, c.DeliveredArea, c.EventID = p.Households, p.PrivateArea, p.DeliveredArea, e.EventID
	case domain.DeliveredAreaUpdated:
		c.DeliveredArea = ev.DeliveredArea
	case domain.PropertyCompanyChanged:
		c.Company = ev.Company
	case domain.PartyBranchEstablished:
		c.Branch, c.Secretary = ev.Branch, ev.Secretary
	case domain.RedFlagsSet:
		c.RedProperty, c.RedCommittee = ev.RedProperty, ev.RedCommittee
	case domain.CommitteeElected:
		cm := Committee{Term: ev.Term, Elected: ev.At, TermEnd: ev.TermEnd, EventID: e.EventID,
			Members: map[string]Member{}, Alternates: map[string]Member{}}
		for _, x := range ev.Members {
			cm.Members[x.CandidateID] = Member{x.Name, x.Background.PartyMember}
		}
		for _, x := range ev.Alternates {
			cm.Alternates[x.CandidateID] = Member{x.Name, x.Background.PartyMember}
		}
		c.Committee, c.InterimFiled = cm, false
	case domain.ChairChosen:
		c.Committee.Chair = ev.Chair
	case domain.CommitteeFiled:
		c.Committee.Filed = true
	case domain.ReelectionStarted:
		c.Committee.ReelectionStarted = true
	case domain.CommitteeTermExpired:
		c.Committee.ExpiredNoReelection = !ev.ReelectionStarted
		c.Committee.Filed = false
	case domain.MemberLeft:
		delete(c.Committee.Members, ev.CandidateID)
		if alt, ok := c.Committee.Alternates[ev.Replacement]; ok {
			c.Committee.Members[ev.Replacement] = alt
			delete(c.Committee.Alternates, ev.Replacement)
		}
		if c.Committee.Chair == ev.CandidateID {
			c.Committee.Chair = ""
		}
	case domain.InterimCommissionFiled:
		c.InterimFiled = true
	case domain.ComplaintReceived:
		x := &Complaint{Compound: id, Company: c.Company, Channel: ev.Channel, Received: ev.At,
			DispatchDue: ev.DispatchDue, ReplyDue: ev.ReplyDue, ReceivedEvent: e.EventID}
		m.Complaints[key(ev.ComplaintID)] = x
		m.update(x, nil)
	case domain.ComplaintDispatched:
		m.complaint(key(ev.ComplaintID), e, func(x *Complaint) {
			if x.Dispatched.IsZero() {
				x.Dispatched, x.DispatchedEvent = ev.At, e.EventID
			}
		})
	case domain.ComplaintAccepted:
		m.complaint(key(ev.ComplaintID), e, func(x *Complaint) {
			if x.Accepted.IsZero() { // the response rate judges the first acceptance
				x.Accepted = ev.At
			}
		})
	case domain.ComplaintReturned:
		m.complaint(key(ev.ComplaintID), e, func(x *Complaint) { x.Returns++ })
	case domain.ComplaintExtensionDecided:
		m.complaint(key(ev.ComplaintID), e, func(x *Complaint) { x.ReplyDue = ev.ReplyDue })
	case domain.ComplaintResolved:
		m.complaint(key(ev.ComplaintID), e, func(x *Complaint) { x.Resolved = ev.At })
	case domain.ComplaintFollowedUp:
		m.complaint(key(ev.ComplaintID), e, func(x *Complaint) {
			x.Calls = append(x.Calls, Call{At: ev.At, Satisfaction: ev.Satisfaction, Solved: ev.Solved, EventID: e.EventID})
		})
	case domain.ComplaintReopened:
		// A new round: the new reply limit, and no resolution until it is resolved again.
		m.complaint(key(ev.ComplaintID), e, func(x *Complaint) { x.Reopens++; x.ReplyDue, x.Resolved = ev.ReplyDue, time.Time{} })
	case domain.LawsuitFiled:
		l := &Lawsuit{Compound: id, Company: ev.Company, Filed: ev.At, EventID: e.EventID}
		m.Lawsuits[key(ev.LawsuitID)] = l
		m.update(l, nil)
	case domain.LawsuitConcluded:
		if l := m.Lawsuits[key(ev.LawsuitID)]; l != nil {
			l.Concluded, l.CompanyLost = ev.At, ev.CompanyLost
		}
	case domain.ConflictFlagged:
		c.Flagged = true
	case domain.ConflictUnflagged:
		c.Flagged = false
	case domain.PlanAdopted:
		for _, ms := range ev.Measures {
			m.Measures[key(ms.ID)] = &Measure{Compound: id, Deadline: ms.Deadline.End(), EventID: e.EventID}
		}
	case domain.MeasureAdded:
		m.Measures[key(ev.ID)] = &Measure{Compound: id, Deadline: ev.Deadline.End(), EventID: e.EventID}
	case domain.MeasureSignedOff:
		if ms := m.Measures[key(ev.MeasureID)]; ms != nil {
			ms.Signed = ev.At
		}
	case domain.ListedForSupervision:
		m.Listings[key(ev.ListingID)] = &Listing{Compound: id, Listed: ev.At, EventID: e.EventID}
	case domain.Delisted:
		if l := m.Listings[key(ev.ListingID)]; l != nil {
			l.Delisted = ev.At
		}
	}
}

func (m *Model) complaint(key string, e domain.Envelope, f func(*Complaint)) {
	if x := m.Complaints[key]; x != nil {
		m.update(x, func() { f(x) })
	}
}

func compoundID(stream string) string { return stream[len("compound-"):] }

// Snapshot encodes the whole model.
func (m *Model) Snapshot() ([]byte, error) {
	return projections.GobSnapshot(m)
}

// Restore replaces the model by a snapshot.
func (m *Model) Restore(b []byte) error {
	return projections.GobRestore(b, m, New())
}

// Tables lays the complaints out for SQL readers (rm_complaints), one row
// per ticket as of its latest handling round.
func (m *Model) Tables() []projections.Table {
	t := projections.Table{Name: "rm_complaints", Columns: []string{"compound_id", "complaint_id", "company", "channel", "received_at",
		"dispatch_due", "reply_due", "dispatched_at", "accepted_at", "resolved_at", "returns", "reopens", "follow_ups", "last_satisfaction"}}
	t.Rows = make([][]any, 0, len(m.Complaints))
	for key, x := range m.Complaints {
		var satisfaction string
		if len(x.Calls) > 0 {
			satisfaction = string(x.Calls[len(x.Calls)-1].Satisfaction)
		}
		t.Rows = append(t.Rows, []any{x.Compound, key[len(x.Compound)+1:], x.Company, string(x.Channel), x.Received,
			projections.Nullable(x.DispatchDue), projections.Nullable(x.ReplyDue), projections.Nullable(x.Dispatched),
			projections.Nullable(x.Accepted), projections.Nullable(x.Resolved), x.Returns, x.Reopens, len(x.Calls), satisfaction})
	}
	return []projections.Table{t}
}
