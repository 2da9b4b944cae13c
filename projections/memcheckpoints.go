package projections

import (
	"sort"
	"sync"
)

// MemoryCheckpoints keeps snapshots in memory, for tests.
type MemoryCheckpoints struct {
	// Keep bounds the snapshots kept per projection to the most recently
	// saved, as the SQLite file does; 0 keeps them all.
	Keep int

	mu    sync.Mutex
	saves uint64 // snapshots saved so far: the order of saving
	snaps map[string]map[uint64]memSnapshot
}

type memSnapshot struct {
	saved uint64
	data  []byte
}

func NewMemoryCheckpoints() *MemoryCheckpoints {
	return &MemoryCheckpoints{snaps: map[string]map[uint64]memSnapshot{}}
}

func (m *MemoryCheckpoints) Save(name string, position uint64, snapshot []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snaps[name] == nil {
		m.snaps[name] = map[uint64]memSnapshot{}
	}
	m.saves++
	m.snaps[name][position] = memSnapshot{m.saves, append([]byte(nil), snapshot...)}
	if m.Keep > 0 && len(m.snaps[name]) > m.Keep {
		m.pruneLocked(name)
	}
	return nil
}

// pruneLocked drops the snapshots of name beyond the Keep most recently saved.
func (m *MemoryCheckpoints) pruneLocked(name string) {
	var saved []uint64
	for _, s := range m.snaps[name] {
		saved = append(saved, s.saved)
	}
	sort.Slice(saved, func(i, j int) bool { return saved[i] > saved[j] })
	for p, s := range m.snaps[name] {
		if s.saved < saved[m.Keep-1] {
			delete(m.snaps[name], p)
		}
	}
}

// Positions are the positions of the snapshots kept of name, in order.
func (m *MemoryCheckpoints) Positions(name string) []uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var positions []uint64
	for p := range m.snaps[name] {
		positions = append(positions, p)
	}
	sort.Slice(positions, func(i, j int) bool { return positions[i] < positions[j] })
	return positions
}

func (m *MemoryCheckpoints) Load(name string, atOrBelow uint64) (uint64, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var positions []uint64
	for p := range m.snaps[name] {
		if atOrBelow == 0 || p <= atOrBelow {
			positions = append(positions, p)
		}
	}
	if len(positions) == 0 {
		return 0, nil, nil
	}
	sort.Slice(positions, func(i, j int) bool { return positions[i] > positions[j] })
	return positions[0], m.snaps[name][positions[0]].data, nil
}
