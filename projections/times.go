package projections

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Time is a time.Time kept in 16 bytes without a pointer, for models that
// hold millions of them (a time.Time is 24 bytes, one a pointer the
// collector follows). It keeps the instant and the location as they were
// (numbered in a table of the process's locations, which are few), so it
// gives back the time it was made of; snapshots and JSON hold it as that
// time.Time.
type Time struct {
	sec  int64  // Unix seconds
	nsec int32  // and nanoseconds
	zone uint32 // in zones.list
}

// TimeOf is t kept compactly.
func TimeOf(t time.Time) Time {
	return Time{sec: t.Unix(), nsec: int32(t.Nanosecond()), zone: zoneOf(t)}
}

// Time is the time.Time it was made of.
func (t Time) Time() time.Time {
	return time.Unix(t.sec, int64(t.nsec)).In(zones.Load().list[t.zone])
}

// Compare compares the instants of t and u, as time.Time.Compare.
func (t Time) Compare(u Time) int {
	return cmp.Or(cmp.Compare(t.sec, u.sec), cmp.Compare(t.nsec, u.nsec))
}

func (t Time) GobEncode() ([]byte, error) { return t.Time().GobEncode() }

func (t *Time) GobDecode(b []byte) error {
	var tt time.Time
	if err := tt.GobDecode(b); err != nil {
		return err
	}
	*t = TimeOf(tt)
	return nil
}

func (t Time) MarshalJSON() ([]byte, error) { return t.Time().MarshalJSON() }

// zones numbers the locations of the times made compact: a copy-on-write
// table, read without a lock by every fold. A location is known by its
// pointer, as a time.Time knows it; unnamed ones (the fixed offsets a
// parsed time gets, a new one per parse but for whole hours) by their
// offset, so that they stay few.
var zones = func() *zoneTable {
	var z zoneTable
	z.Store(&zoneList{list: []*time.Location{time.UTC}, byLoc: map[*time.Location]uint32{time.UTC: 0}, unnamed: map[int]uint32{}})
	return &z
}()

type zoneTable struct {
	atomic.Pointer[zoneList]
	mu sync.Mutex // held while one is added
}

type zoneList struct {
	list    []*time.Location
	byLoc   map[*time.Location]uint32
	unnamed map[int]uint32 // by offset
}

// zoneOf is the number of t's location. Times parsed from the log get a
// new fixed zone each: they are found by offset without the lock too.
func zoneOf(t time.Time) uint32 {
	loc := t.Location()
	_, offset := t.Zone()
	fixed := loc.String() == ""
	find := func(z *zoneList) (uint32, bool) {
		if n, ok := z.byLoc[loc]; ok {
			return n, true
		}
		n, ok := z.unnamed[offset]
		return n, ok && fixed
	}
	if n, ok := find(zones.Load()); ok {
		return n
	}
	zones.mu.Lock()
	defer zones.mu.Unlock()
	old := zones.Load()
	if n, ok := find(old); ok {
		return n
	}
	l := &zoneList{list: append(slices.Clip(old.list), loc), byLoc: maps.Clone(old.byLoc), unnamed: maps.Clone(old.unnamed)}
	n := uint32(len(old.list))
	l.byLoc[loc] = n
	if fixed {
		l.unnamed[offset] = n
	}
	zones.Store(l)
	return n
}
