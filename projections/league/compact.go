package league

// A city keeps hundreds of thousands of complaints, each with a dozen
// times, event IDs and words. Kept as time.Time (24 bytes and a location
// pointer) and strings (a header and a pointer, the ID's 36 bytes beside),
// they were most of the model's heap, and every pointer is one more for
// the collector to chase. The complaints (and the compounds' standings)
// keep them as the pointer-free values below (words as projections.Word) instead, turned back into
// times and strings only where an answer shows them.

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// instant is a time as Unix nanoseconds; 0 is none (the zero time.Time).
type instant int64

func instantOf(t time.Time) instant {
	if t.IsZero() {
		return 0
	}
	return instant(t.UnixNano())
}

func (i instant) isZero() bool { return i == 0 }

// time is the instant, the zero time.Time if none.
func (i instant) time() time.Time {
	if i == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(i))
}

// eventID is an event ID in 16 bytes: the bytes of a UUID in canonical
// form (the IDs the service mints), else an index into odd, marked by a
// zero variant byte (a UUID's is 10xxxxxx). The zero eventID is "".
type eventID [16]byte

// odd holds the event IDs that are not canonical UUIDs (tests' and
// hand-made logs'), for every model of the process: an eventID must stay
// 16 bytes without a pointer, so it cannot carry its table.
var odd = struct {
	sync.Mutex
	ids   []string
	index map[string]uint64
}{ids: []string{""}, index: map[string]uint64{"": 0}}

func eventIDOf(s string) eventID {
	var id eventID
	if isCanonicalUUID(s) {
		hex.Decode(id[0:4], []byte(s[0:8]))
		hex.Decode(id[4:6], []byte(s[9:13]))
		hex.Decode(id[6:8], []byte(s[14:18]))
		hex.Decode(id[8:10], []byte(s[19:23]))
		hex.Decode(id[10:16], []byte(s[24:36]))
		if id[8]&0xc0 == 0x80 {
			return id
		}
		id = eventID{}
	}
	odd.Lock()
	n, ok := odd.index[s]
	if !ok {
		n = uint64(len(odd.ids))
		odd.ids = append(odd.ids, strings.Clone(s))
		odd.index[odd.ids[n]] = n
	}
	odd.Unlock()
	binary.LittleEndian.PutUint64(id[:8], n)
	return id
}

// isCanonicalUUID says s is a UUID as formatted by uuid.UUID.String:
// lower-case hex in groups of 8-4-4-4-12 (its bytes format back to s).
func isCanonicalUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		default:
			return false
		}
	}
	return true
}

func (id eventID) String() string {
	if id[8]&0xc0 != 0x80 {
		odd.Lock()
		defer odd.Unlock()
		return odd.ids[binary.LittleEndian.Uint64(id[:8])]
	}
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], id[10:16])
	return string(b[:])
}

// MarshalText spells the ID out, so that JSON can show a model's state
// (maps keyed by IDs among it).
func (id eventID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// Snapshots hold an ID as a tag byte and its UUID bytes (1) or the odd
// ID's text (0): the process's odd table does not outlive it.
func (id eventID) GobEncode() ([]byte, error) {
	if id[8]&0xc0 == 0x80 {
		return append([]byte{1}, id[:]...), nil
	}
	return append([]byte{0}, id.String()...), nil
}

func (id *eventID) GobDecode(b []byte) error {
	switch {
	case len(b) == 17 && b[0] == 1:
		copy(id[:], b[1:])
	case len(b) >= 1 && b[0] == 0:
		*id = eventIDOf(string(b[1:]))
	default:
		return fmt.Errorf("league snapshot: an event ID of %d bytes", len(b))
	}
	return nil
}
