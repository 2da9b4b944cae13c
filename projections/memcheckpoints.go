package projections

import (
	"sort"
	"sync"
)

// MemoryCheckpoints keeps snapshots in memory, for tests.
type MemoryCheckpoints struct {
	mu    sync.Mutex
	snaps map[string]map[uint64][]byte
}

func NewMemoryCheckpoints() *MemoryCheckpoints {
	return &MemoryCheckpoints{snaps: map[string]map[uint64][]byte{}}
}

func (m *MemoryCheckpoints) Save(name string, position uint64, snapshot []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snaps[name] == nil {
		m.snaps[name] = map[uint64][]byte{}
	}
	m.snaps[name][position] = append([]byte(nil), snapshot...)
	return nil
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
	return positions[0], m.snaps[name][positions[0]], nil
}
