package storetest_test

import (
	"testing"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

// TestMemoryStore proves the suite against the reference implementation.
func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) domain.EventStore { return domain.NewMemoryStore() })
}
