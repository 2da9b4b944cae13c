package memory

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Keys is an in-memory domain.KeyStore for tests and the demo generator.
type Keys struct {
	mu       sync.Mutex
	keys     map[string][]byte    // live keys
	erased   map[string]time.Time // forgotten subjects
	accesses []domain.AccessRecord
}

func NewKeys() *Keys { return &Keys{keys: map[string][]byte{}, erased: map[string]time.Time{}} }

func (k *Keys) CreateKey(_ context.Context, subject string, key []byte) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, gone := k.erased[subject]; gone {
		return nil, domain.ErrForgotten(subject)
	}
	if have, ok := k.keys[subject]; ok {
		return slices.Clone(have), nil
	}
	k.keys[subject] = slices.Clone(key)
	return slices.Clone(key), nil
}

func (k *Keys) Key(_ context.Context, subject string) ([]byte, domain.KeyState, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.keys[subject]; ok {
		return slices.Clone(key), domain.KeyLive, nil
	}
	if _, gone := k.erased[subject]; gone {
		return nil, domain.KeyDestroyed, nil
	}
	return nil, domain.KeyNone, nil
}

func (k *Keys) DestroyKey(_ context.Context, subject string, at time.Time) (bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.keys[subject]
	if !ok {
		return false, nil
	}
	clear(key) // no copy of the key stays in memory
	delete(k.keys, subject)
	k.erased[subject] = at
	return true, nil
}

func (k *Keys) LogAccess(_ context.Context, records []domain.AccessRecord) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.accesses = append(k.accesses, records...)
	return nil
}

func (k *Keys) Accesses(_ context.Context, subject string) ([]domain.AccessRecord, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []domain.AccessRecord
	for _, r := range k.accesses {
		if r.Subject == subject {
			out = append(out, r)
		}
	}
	return out, nil
}
