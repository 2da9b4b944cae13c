package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"time"

	gojson "github.com/goccy/go-json"
)

// A compound snapshot is the folded state at a stream version, so that a
// compound not in memory is loaded from it and the events after it instead
// of its whole stream. It is only a cache of the log: it is refused unless
// it was written by this very state layout and fold (SnapshotFormat), and
// the caller checks it against the log (the hash of the event it stands on).

// foldVersion is raised when Apply changes what it makes of an event
// without changing the state's types: snapshots of the old fold are then
// refused. Changes to the types are caught by SnapshotFormat on its own.
const foldVersion = 1

// SnapshotFormat names the state layout and fold a snapshot was made by:
// the fold's version and a digest of Compound's types, field by field, so
// that any change to the state discards older snapshots.
var SnapshotFormat = func() string {
	var b strings.Builder
	describeType(&b, reflect.TypeFor[Compound](), map[reflect.Type]bool{})
	sum := sha256.Sum256([]byte(b.String()))
	return fmt.Sprintf("compound-v%d-%s", foldVersion, hex.EncodeToString(sum[:8]))
}()

// describeType writes t's structure, recursively, each named type once.
func describeType(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	if t.Name() != "" {
		b.WriteString(t.PkgPath() + "." + t.Name() + ":")
		if seen[t] {
			return
		}
		seen[t] = true
	}
	b.WriteString(t.Kind().String())
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return
		}
		b.WriteString("{")
		for i := range t.NumField() {
			f := t.Field(i)
			b.WriteString(f.Name + " ")
			describeType(b, f.Type, seen)
			b.WriteString(";")
		}
		b.WriteString("}")
	case reflect.Pointer, reflect.Slice, reflect.Array:
		b.WriteString("[")
		describeType(b, t.Elem(), seen)
		b.WriteString("]")
	case reflect.Map:
		b.WriteString("[")
		describeType(b, t.Key(), seen)
		b.WriteString("]")
		describeType(b, t.Elem(), seen)
	}
}

// compoundState is Compound with its fields exported, for JSON (go-json:
// a cold load decodes one, as fast as the events it replaces).
type compoundState struct {
	Format       string // SnapshotFormat when it was made
	ID           string
	Version      uint64
	Hash         string // of the event at Version: where the log must continue
	Registered   bool
	RegisteredAt time.Time
	Profile      Profile
	Party        PartyBuilding
	Committee    committeeFields
	Complaints   map[string]complaintFields
	Lawsuits     map[string]LawsuitView
	Conflict     ConflictView
	Plan         *planFields
	Listing      *ListingView
	Meetings     map[string]bool
	CommandIDs   map[string]bool
	Alerts       []Alert
}

type committeeFields struct {
	AppliedAt    time.Time
	Group        *PreparatoryGroupFormed
	Candidates   map[string]candidateFields
	Votes        map[string]AssemblyVoteHeld
	Serving      *servingFields
	Outgoing     *servingFields
	Interim      *InterimCommissionFormed
	InterimFiled bool
	Terms        int
}

type candidateFields struct {
	CandidateNominated
	Vetted bool
	Failed []string
}

type servingFields struct {
	CommitteeElected
	Chair             string
	ViceChairs        []string
	ChairChosen       bool
	Filed             bool
	FiledAt           time.Time
	ReelectionStarted bool
	Expired           bool
	Trained           map[string]bool
}

type complaintFields struct {
	ComplaintView
	RequestedDays, ExtendedDays int
	Last                        time.Time
}

type planFields struct {
	AdoptedAt, SignedOffAt time.Time
	CaseLeader             CaseLeader
	TaskForce              []string
	Problems               []Problem
	Measures               []MeasureView
}

// Snapshot encodes the compound's state; hash is that of the event at its
// version, which the loader checks against the log.
func (c *Compound) Snapshot(hash string) ([]byte, error) {
	s := compoundState{Format: SnapshotFormat, ID: c.id, Version: c.version, Hash: hash, Registered: c.registered, RegisteredAt: c.registeredAt,
		Profile: c.profile, Party: c.party, Committee: committeeOut(c.committee), Conflict: ConflictView(c.conflict),
		Complaints: make(map[string]complaintFields, len(c.complaints)), Lawsuits: make(map[string]LawsuitView, len(c.lawsuits)),
		Meetings: c.meetings, CommandIDs: c.commandIDs, Alerts: c.alerts}
	for id, k := range c.complaints {
		s.Complaints[id] = complaintFields{k.ComplaintView, k.requestedDays, k.extendedDays, k.last}
	}
	for id, l := range c.lawsuits {
		s.Lawsuits[id] = LawsuitView(*l)
	}
	if p := c.plan; p != nil {
		s.Plan = &planFields{AdoptedAt: p.adoptedAt, SignedOffAt: p.signedOffAt, CaseLeader: p.caseLeader,
			TaskForce: p.taskForce, Problems: p.problems}
		for _, m := range p.measures {
			s.Plan.Measures = append(s.Plan.Measures, MeasureView(*m))
		}
	}
	if c.listing != nil {
		l := ListingView(*c.listing)
		s.Listing = &l
	}
	var b bytes.Buffer
	if err := gojson.NewEncoder(&b).Encode(s); err != nil {
		return nil, fmt.Errorf("compound %s: snapshot: %w", c.id, err)
	}
	return b.Bytes(), nil
}

// RestoreCompound decodes a snapshot of compound id made by Snapshot in
// this SnapshotFormat (another is refused), and returns it with the hash
// it stands on.
func RestoreCompound(id string, data []byte) (*Compound, string, error) {
	var s compoundState
	if err := gojson.Unmarshal(data, &s); err != nil {
		return nil, "", fmt.Errorf("compound %s: snapshot: %w", id, err)
	}
	detach(reflect.ValueOf(&s).Elem())
	switch {
	case s.Format != SnapshotFormat:
		return nil, "", fmt.Errorf("compound %s: the snapshot is of format %q, not %q", id, s.Format, SnapshotFormat)
	case s.ID != id:
		return nil, "", fmt.Errorf("compound %s: the snapshot is of %s", id, s.ID)
	}
	c := NewCompound(id)
	c.version, c.registered, c.registeredAt, c.profile, c.party = s.Version, s.Registered, s.RegisteredAt, s.Profile, s.Party
	c.committee, c.conflict, c.alerts = committeeIn(s.Committee), conflictState(s.Conflict), s.Alerts
	for k, v := range s.Complaints {
		c.complaints[k] = &complaint{v.ComplaintView, v.RequestedDays, v.ExtendedDays, v.Last}
	}
	for k, v := range s.Lawsuits {
		l := lawsuit(v)
		c.lawsuits[k] = &l
	}
	if p := s.Plan; p != nil {
		c.plan = &plan{adoptedAt: p.AdoptedAt, signedOffAt: p.SignedOffAt, caseLeader: p.CaseLeader, taskForce: p.TaskForce, problems: p.Problems}
		for _, m := range p.Measures {
			mm := measure(m)
			c.plan.measures = append(c.plan.measures, &mm)
		}
	}
	if s.Listing != nil {
		l := listing(*s.Listing)
		c.listing = &l
	}
	c.meetings = s.Meetings
	if s.CommandIDs != nil {
		c.commandIDs = s.CommandIDs
	}
	return c, s.Hash, nil
}

// detach copies the strings and bytes of v that go-json left pointing into
// its copy of the snapshot: a cached compound would otherwise keep the
// whole snapshot alive beside its state, 1.8 times its snapshot's size
// instead of 1.1 (measured on the 1M-event city), and the command service's
// cache would hold that many fewer compounds. Values of types without text
// are passed over.
func detach(v reflect.Value) {
	if !textTypes[v.Type()] {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strings.Clone(v.String()))
	case reflect.Pointer:
		if !v.IsNil() {
			detach(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				detach(f)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			v.SetBytes(bytes.Clone(v.Bytes()))
			return
		}
		for i := range v.Len() {
			detach(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		if set, ok := v.Interface().(map[string]bool); ok { // command IDs, meetings: the most entries
			m := make(map[string]bool, len(set))
			for k, b := range set {
				m[strings.Clone(k)] = b
			}
			v.Set(reflect.ValueOf(m))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		for it := v.MapRange(); it.Next(); {
			k.Set(it.Key())
			e.Set(it.Value())
			detach(k)
			detach(e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

// textTypes holds the types in a snapshot whose values may hold strings or
// bytes that go-json decoded (exported fields only).
var textTypes = func() map[reflect.Type]bool {
	text := map[reflect.Type]bool{}
	seen := map[reflect.Type]bool{}
	var holds func(t reflect.Type) bool
	holds = func(t reflect.Type) bool {
		if seen[t] {
			return text[t] // a type met again while its fields are looked at counts by its other fields
		}
		seen[t] = true
		b := false
		switch t.Kind() {
		case reflect.String:
			b = true
		case reflect.Pointer, reflect.Slice, reflect.Array:
			b = t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 || holds(t.Elem())
		case reflect.Map:
			key, elem := holds(t.Key()), holds(t.Elem()) // both: each is looked up on its own
			b = key || elem
		case reflect.Struct:
			for i := range t.NumField() {
				if f := t.Field(i); f.IsExported() && holds(f.Type) {
					b = true
				}
			}
		}
		text[t] = b
		return b
	}
	holds(reflect.TypeFor[compoundState]())
	return text
}()

func committeeOut(c committeeState) committeeFields {
	f := committeeFields{AppliedAt: c.appliedAt, Group: c.group, Votes: c.votes, Serving: servingOut(c.serving),
		Outgoing: servingOut(c.outgoing), Interim: c.interim, InterimFiled: c.interimFiled, Terms: c.terms}
	if c.candidates != nil {
		f.Candidates = make(map[string]candidateFields, len(c.candidates))
		for id, k := range c.candidates {
			f.Candidates[id] = candidateFields{k.CandidateNominated, k.vetted, k.failed}
		}
	}
	return f
}

func committeeIn(f committeeFields) committeeState {
	c := committeeState{appliedAt: f.AppliedAt, group: f.Group, votes: f.Votes, serving: servingIn(f.Serving),
		outgoing: servingIn(f.Outgoing), interim: f.Interim, interimFiled: f.InterimFiled, terms: f.Terms}
	if f.Candidates != nil {
		c.candidates = make(map[string]*candidate, len(f.Candidates))
		for id, k := range f.Candidates {
			c.candidates[id] = &candidate{k.CandidateNominated, k.Vetted, k.Failed}
		}
	}
	return c
}

func servingOut(s *servingCommittee) *servingFields {
	if s == nil {
		return nil
	}
	return &servingFields{s.CommitteeElected, s.chair, s.viceChairs, s.chairChosen, s.filed, s.filedAt, s.reelectionStarted, s.expired, s.trained}
}

func servingIn(f *servingFields) *servingCommittee {
	if f == nil {
		return nil
	}
	return &servingCommittee{f.CommitteeElected, f.Chair, f.ViceChairs, f.ChairChosen, f.Filed, f.FiledAt, f.ReelectionStarted, f.Expired, f.Trained}
}
