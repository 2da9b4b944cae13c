package projectiontest

import (
	"os"
	"strconv"
	"testing"
	"time"
)

// Seed is the seed of a randomised test: CASETRACK_ASOF_SEED if set (to
// repeat a run), else a new one; it is logged, so a failure can be repeated.
func Seed(t testing.TB) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CASETRACK_ASOF_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d (CASETRACK_ASOF_SEED=%d repeats it)", seed, seed)
	return seed
}
